package cuda;

/**
 * Where a dropout layer's mask stream stands, as the {@code dropout_forward} kernel reads it from device
 * memory: the seed of {@code new java.util.SplittableRandom(seed)} and the number of draws taken since
 * ({@code offset}), each a 64-bit value stored as four floats that hold its 16-bit chunks, low chunk first.
 * The integers 0..65535 are exact in float, so the position travels through the float buffers of
 * {@link DeviceKernels} without any bit pattern at stake. A buffer holds positions one after another,
 * {@link #FLOATS} floats each; the kernel takes the buffer and an index.
 *
 * <p>Why on the device: the training step is a captured graph, which replays the arguments it was captured
 * with, while the offset moves on every step; the host writes each step's positions into a buffer of that
 * step's slot and uploads them with the batch.
 */
public final class DropoutStream {
    private DropoutStream() {}

    /** Floats one position takes: four for the seed, four for the offset. */
    public static final int FLOATS = 8;

    /** Writes (seed, offset) as position {@code index} of {@code dst}: floats [8·index, 8·index + 8). */
    public static void write(long seed, long offset, float[] dst, int index) {
        if (offset < 0) throw new IllegalArgumentException("dropout stream offset must be >= 0, got " + offset);
        int at = FLOATS * index;
        for (int c = 0; c < 4; c++) {
            dst[at + c] = (float) ((seed >>> (16 * c)) & 0xffff);
            dst[at + 4 + c] = (float) ((offset >>> (16 * c)) & 0xffff);
        }
    }

    /** The seed of position {@code index} of {@code src} (what the kernel reads). */
    public static long seed(float[] src, int index) {
        return read(src, FLOATS * index);
    }

    /** The offset of position {@code index} of {@code src}. */
    public static long offset(float[] src, int index) {
        return read(src, FLOATS * index + 4);
    }

    private static long read(float[] src, int at) {
        long v = 0;
        for (int c = 0; c < 4; c++) v |= ((long) src[at + c]) << (16 * c);
        return v;
    }
}
