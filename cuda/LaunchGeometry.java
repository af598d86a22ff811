package cuda;

/**
 * A launch shape: grid and block dimensions and the shared memory a block uses. Pure arithmetic,
 * unit tested on the CPU; the factories below are the only places launch shapes are computed.
 *
 * <p>{@code staticSharedBytes} is what the kernel declares itself (checked against the PTX by a test,
 * passed to no driver call); {@code dynamicSharedBytes} is the launch argument (0 for every kernel here).
 */
public record LaunchGeometry(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                             int staticSharedBytes, int dynamicSharedBytes) {
    /** Hardware limits of every GPU since sm_30: grid y and z, threads a block, static shared memory a block. */
    public static final int MAX_GRID_YZ = 65535;
    public static final int MAX_THREADS = 1024;
    public static final int MAX_STATIC_SHARED = 48 * 1024;
    /** Threads a block for the 1D elementwise kernels, and the cap on their grid (grid-stride loops cover the rest). */
    public static final int ELEMENTWISE_THREADS = 256;
    public static final int ELEMENTWISE_MAX_BLOCKS = 65535;
    /** Largest block of softmax_cross_entropy (its SOFTMAX_THREADS): a power of two. */
    public static final int SOFTMAX_MAX_THREADS = 256;

    public LaunchGeometry {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new IllegalArgumentException("grid " + gridX + "x" + gridY + "x" + gridZ
                    + " outside 1..2^31-1 x 1.." + MAX_GRID_YZ + " x 1.." + MAX_GRID_YZ);
        }
        long threads = (long) blockX * blockY * blockZ;
        if (blockX < 1 || blockY < 1 || blockZ < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("block " + blockX + "x" + blockY + "x" + blockZ + " has " + threads
                    + " threads, allowed 1.." + MAX_THREADS);
        }
        if (staticSharedBytes < 0 || dynamicSharedBytes < 0 || staticSharedBytes + dynamicSharedBytes > MAX_STATIC_SHARED) {
            throw new IllegalArgumentException("shared memory " + staticSharedBytes + " + " + dynamicSharedBytes
                    + " bytes outside 0.." + MAX_STATIC_SHARED);
        }
    }

    /** An SGEMM of an m×n C: one block a tileRows×tileCols tile, grid (ceil(n/tileCols), ceil(m/tileRows)). */
    public static LaunchGeometry sgemm(SgemmVersion v, int m, int n) {
        return sgemm(v, m, n, 1);
    }

    /** The same with {@code slices} slices of k in the grid's z (v7). */
    public static LaunchGeometry sgemm(SgemmVersion v, int m, int n, int slices) {
        if (slices < 1 || slices > MAX_GRID_YZ) throw new IllegalArgumentException(v.entry() + ": " + slices + " slices of k");
        if (m < 1 || n < 1) throw new IllegalArgumentException(v.entry() + ": no launch for an empty C (m=" + m + " n=" + n + ")");
        int gridY = ceilDiv(m, v.tileRows());
        if (gridY > MAX_GRID_YZ) {
            throw new IllegalArgumentException(v.entry() + ": m=" + m + " needs " + gridY + " block rows of "
                    + v.tileRows() + ", more than the grid's " + MAX_GRID_YZ);
        }
        return new LaunchGeometry(ceilDiv(n, v.tileCols()), gridY, slices, v.blockX(), v.blockY(), 1, v.staticSharedBytes(), 0);
    }

    /** A grid-stride 1D kernel over count items: blocks of 256, as many as cover count, at most 65535. */
    public static LaunchGeometry elementwise(long count) {
        if (count < 1) throw new IllegalArgumentException("no launch for " + count + " elements");
        long blocks = Math.min((count + ELEMENTWISE_THREADS - 1) / ELEMENTWISE_THREADS, ELEMENTWISE_MAX_BLOCKS);
        return new LaunchGeometry((int) blocks, 1, 1, ELEMENTWISE_THREADS, 1, 1, 0, 0);
    }

    /**
     * softmax_cross_entropy: one block a row, the block the smallest power of two ≥ cols within
     * 32..256 (a warp at least; more classes than threads are strided), its reduction buffer 4 bytes a thread.
     */
    public static LaunchGeometry softmaxRows(int rows, int cols) {
        if (rows < 1 || cols < 1) throw new IllegalArgumentException("softmax_cross_entropy: rows=" + rows + " cols=" + cols + " must be >= 1");
        int threads = cols >= SOFTMAX_MAX_THREADS ? SOFTMAX_MAX_THREADS : Math.max(32, Integer.highestOneBit(cols - 1) << 1);
        return new LaunchGeometry(rows, 1, 1, threads, 1, 1, SOFTMAX_MAX_THREADS * Float.BYTES, 0);
    }

    public int threadsPerBlock() {
        return blockX * blockY * blockZ;
    }

    static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    @Override
    public String toString() {
        return "grid " + gridX + "x" + gridY + "x" + gridZ + ", block " + blockX + "x" + blockY + "x" + blockZ;
    }
}
