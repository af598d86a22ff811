package cuda;

/**
 * The SGEMM kernels of cuda/, numbered as in siboehm's SGEMM_CUDA, with the tile constants they are
 * compiled with (the #define defaults of each .cu; a test reads them back from the source and the PTX).
 */
public enum SgemmVersion {
    /** One thread an element of C, straight from global memory. Block 32×8 over an 8×32 tile of C. */
    V1_NAIVE("sgemm_v1_naive", 32, 8, 8, 32, 0),
    /** 32×32 tiles of A and B through shared memory, one element a thread; rows padded to 33 floats. */
    V2_SMEM_TILED("sgemm_v2_smem_tiled", 32, 32, 32, 32, 2 * 32 * 33 * Float.BYTES),
    /** 128×128 block tile, BK = 8, 8×8 register tile a thread, 256 threads. */
    V3_BLOCKTILE_2D("sgemm_v3_blocktile_2d", 256, 1, 128, 128, (128 + 128) * 8 * Float.BYTES),
    /** v3 with float4 global and shared loads (A's tile stored transposed), float4 stores of C. */
    V4_VECTORIZED("sgemm_v4_vectorized", 256, 1, 128, 128, (128 + 128) * 8 * Float.BYTES),
    /** Warp tiles of 64×64 in a 128×128 block tile, BK = 16, 128 threads. */
    V5_WARPTILED("sgemm_v5_warptiled", 128, 1, 128, 128, (128 + 128) * 16 * Float.BYTES),
    /** v4's tiles with BK = 16 and two shared-memory stages (the next tiles load during the FMAs); rows padded by 4. */
    V6_DOUBLE_BUFFERED("sgemm_v6_double_buffered", 256, 1, 128, 128, 2 * ((128 + 4) + (128 + 4)) * 16 * Float.BYTES),
    /** v2's tiles on slices of k (gridDim.z), partial sums reduced in order: for small C and long k. */
    V7_SPLIT_K("sgemm_v7_split_k", 32, 32, 32, 32, 2 * 32 * 33 * Float.BYTES),
    /**
     * 128×128 tiles fed by a 3-stage cp.async pipeline (BK = 8), 2×4 warps of 64×32, rows padded by 4; needs
     * sm_80 (cp.async), so its PTX targets compute_80.
     */
    V8_CP_ASYNC("sgemm_v8_cp_async", 256, 1, 128, 128, 3 * ((128 + 4) + (128 + 4)) * 8 * Float.BYTES, 80);

    /** The entry that sums V7's slices into C (in V7's module). */
    public static final String V7_REDUCE = "sgemm_v7_reduce";

    private final String entry;
    private final int blockX, blockY, tileRows, tileCols, staticSharedBytes, minComputeCapability;

    SgemmVersion(String entry, int blockX, int blockY, int tileRows, int tileCols, int staticSharedBytes) {
        this(entry, blockX, blockY, tileRows, tileCols, staticSharedBytes, 75);
    }

    SgemmVersion(String entry, int blockX, int blockY, int tileRows, int tileCols, int staticSharedBytes, int minComputeCapability) {
        this.entry = entry;
        this.blockX = blockX;
        this.blockY = blockY;
        this.tileRows = tileRows;
        this.tileCols = tileCols;
        this.staticSharedBytes = staticSharedBytes;
        this.minComputeCapability = minComputeCapability;
    }

    /** The kernel's name, which is also its .cu file and its PTX module. */
    public String entry() {
        return entry;
    }

    public int blockX() {
        return blockX;
    }

    public int blockY() {
        return blockY;
    }

    /** Rows of C one block computes. */
    public int tileRows() {
        return tileRows;
    }

    /** Columns of C one block computes. */
    public int tileCols() {
        return tileCols;
    }

    /** Shared memory the kernel declares: the A and B tiles, 4 bytes a float. */
    public int staticSharedBytes() {
        return staticSharedBytes;
    }

    /**
     * The oldest GPU that runs it, as major·10 + minor (75: sm_75, every GPU CUDA 13 supports; 80 for v8's
     * cp.async): its PTX targets compute_&lt;this&gt; (a "// nvcc: -arch=compute_80" line in the .cu).
     */
    public int minComputeCapability() {
        return minComputeCapability;
    }

    /**
     * The version for an m×n product on a GPU with {@code multiprocessors} SMs, when none is named: v6
     * when its 128×128 tiles keep at least a quarter of the SMs busy, else v7, whose 32×32 tiles and
     * slices of k spread the small products of an MLP step over more SMs (at batch 128, 128×784 · 784×256
     * is 2 blocks of v6, but 32 tiles of v7 and 5 slices of k: 160 blocks). Measured on an H100
     * (README, GPU backend): at n = 1024 (64 blocks of v6 for 132 SMs) v6 ran 15.5 TFLOP/s against v7's
     * 5.8 (one slice there: v2); for config B's products (at most 14 blocks of v6) v7 beat every v6
     * tile shape cuda/tune/run.sh tried except on 256×784×128, where 128×64 tiles were within 3%.
     */
    public static SgemmVersion forShape(int m, int n, int multiprocessors) {
        long v6Blocks = (long) LaunchGeometry.ceilDiv(m, V6_DOUBLE_BUFFERED.tileRows) * LaunchGeometry.ceilDiv(n, V6_DOUBLE_BUFFERED.tileCols);
        return 4 * v6Blocks >= multiprocessors ? V6_DOUBLE_BUFFERED : V7_SPLIT_K;
    }

    /**
     * How many slices of k this version's launch for an m×n×k product takes (gridDim.z): 1 except for v7,
     * which takes enough to give every SM a block but keeps each slice at least two tiles deep (more
     * slices would only add partial sums), at most 64.
     */
    public int slices(int m, int n, int k, int multiprocessors) {
        if (this != V7_SPLIT_K) return 1;
        int kTile = tileRows;  // v7's tiles are square: its k step is its tile side
        long blocks = (long) LaunchGeometry.ceilDiv(m, tileRows) * LaunchGeometry.ceilDiv(n, tileCols);
        long toFill = (multiprocessors + blocks - 1) / blocks;
        long deepEnough = k / (2L * kTile);
        int s = (int) Math.max(1, Math.min(64, Math.min(toFill, deepEnough)));
        // the kernel's slice is a whole number of tiles, ceil(k / s) rounded up: drop the slices that would be empty
        int chunk = LaunchGeometry.ceilDiv(LaunchGeometry.ceilDiv(k, s), kTile) * kTile;
        return Math.max(1, LaunchGeometry.ceilDiv(k, chunk));
    }

    /** Null when a GPU of compute capability {@code cc} (major·10 + minor) runs this version, else why not. */
    public String unsupportedOn(int cc) {
        return cc >= minComputeCapability ? null
                : entry + " needs sm_" + minComputeCapability + " or newer, this GPU is sm_" + cc;
    }

    /** "v4" for V4_VECTORIZED, or the entry name, e.g. "sgemm_v4_vectorized". */
    public static SgemmVersion parse(String name) {
        for (SgemmVersion v : values()) {
            if (v.name().equalsIgnoreCase(name) || v.entry.equals(name) || v.name().substring(0, 2).equalsIgnoreCase(name)) return v;
        }
        throw new IllegalArgumentException("unknown sgemm version '" + name + "'; expected v1..v" + values().length);
    }
}
