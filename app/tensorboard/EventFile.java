package app.tensorboard;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file, {@code events.out.tfevents.<unix seconds>.<host>}, written as TensorFlow's
 * summary writers write it: TFRecord records, each an {@code Event} protocol buffer (TensorBoard's
 * {@code event.proto} and {@code summary.proto}): a first event with {@code file_version =
 * "brain.Event:2"}, then scalars, images and histograms. {@link #flush} makes what is written so far
 * visible to a running TensorBoard.
 *
 * <p>A record: the data's length (uint64, little-endian), the masked CRC32C of those 8 bytes, the
 * data, the masked CRC32C of the data (uint32s, little-endian).
 */
public final class EventFile implements Closeable {
    // Event: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5
    private static final int EVENT_WALL_TIME = 1, EVENT_STEP = 2, EVENT_FILE_VERSION = 3, EVENT_SUMMARY = 5;
    // Summary: value = 1; Summary.Value: tag = 1, simple_value = 2 (float), image = 4, histo = 5
    private static final int SUMMARY_VALUE = 1, VALUE_TAG = 1, VALUE_SIMPLE = 2, VALUE_IMAGE = 4, VALUE_HISTO = 5;
    // Summary.Image: height = 1, width = 2, colorspace = 3, encoded_image_string = 4
    private static final int IMAGE_HEIGHT = 1, IMAGE_WIDTH = 2, IMAGE_COLORSPACE = 3, IMAGE_ENCODED = 4;
    // HistogramProto: min = 1, max = 2, num = 3, sum = 4, sum_squares = 5, bucket_limit = 6, bucket = 7
    private static final int HISTO_MIN = 1, HISTO_MAX = 2, HISTO_NUM = 3, HISTO_SUM = 4, HISTO_SUM_SQUARES = 5,
            HISTO_BUCKET_LIMIT = 6, HISTO_BUCKET = 7;
    /** Buckets of a histogram: equal widths between the values' minimum and maximum. */
    static final int HISTOGRAM_BUCKETS = 30;

    private final Path path;
    private final OutputStream out;

    private EventFile(Path path, double wallTime) throws IOException {
        this.path = path;
        this.out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        write(new ProtoWriter().float64(EVENT_WALL_TIME, wallTime).string(EVENT_FILE_VERSION, "brain.Event:2"));
        flush();
    }

    /** Creates {@code dir} if needed and a new event file in it, named as TensorBoard expects. */
    public static EventFile create(Path dir) throws IOException {
        Files.createDirectories(dir);
        long now = System.currentTimeMillis();
        Path file = dir.resolve("events.out.tfevents." + now / 1000 + "." + host());
        // two writers in one second in one folder (a resumed run): a suffix keeps both files
        for (int i = 1; Files.exists(file); i++) file = dir.resolve("events.out.tfevents." + now / 1000 + "." + host() + "." + i);
        return new EventFile(file, now / 1000.0);
    }

    /** Writes an event file at {@code path} with the given first wall time (tests: byte-exact output). */
    static EventFile at(Path path, double wallTime) throws IOException {
        return new EventFile(path, wallTime);
    }

    public Path path() {
        return path;
    }

    /** A scalar: one point of the curve {@code tag}. */
    public void scalar(String tag, long step, float value) throws IOException {
        scalar(tag, step, value, System.currentTimeMillis() / 1000.0);
    }

    void scalar(String tag, long step, float value, double wallTime) throws IOException {
        summary(step, wallTime, new ProtoWriter().string(VALUE_TAG, tag).float32(VALUE_SIMPLE, value));
    }

    /** An image (PNG bytes) under {@code tag}. */
    public void image(String tag, long step, byte[] png, int width, int height) throws IOException {
        // colorspace 4: RGBA
        ProtoWriter image = new ProtoWriter().varint(IMAGE_HEIGHT, height).varint(IMAGE_WIDTH, width)
                .varint(IMAGE_COLORSPACE, 4).bytes(IMAGE_ENCODED, png);
        summary(step, System.currentTimeMillis() / 1000.0, new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_IMAGE, image));
    }

    /** A histogram of values[0..n) under {@code tag}, in {@link #HISTOGRAM_BUCKETS} equal-width buckets. */
    public void histogram(String tag, long step, float[] values, int n) throws IOException {
        if (n == 0) return;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sumSquares = 0;
        for (int i = 0; i < n; i++) {
            double v = values[i];
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
            sumSquares += v * v;
        }
        int buckets = max > min ? HISTOGRAM_BUCKETS : 1;
        double width = (max - min) / buckets;
        double[] limits = new double[buckets], counts = new double[buckets];
        // bucket i holds (limit[i−1], limit[i]]; the first one starts at −∞ (HistogramProto's convention)
        for (int b = 0; b < buckets; b++) limits[b] = b == buckets - 1 ? max : min + (b + 1) * width;
        for (int i = 0; i < n; i++) {
            int b = buckets == 1 ? 0 : (int) Math.min(buckets - 1, Math.max(0, Math.ceil((values[i] - min) / width) - 1));
            counts[b]++;
        }
        ProtoWriter histo = new ProtoWriter().float64(HISTO_MIN, min).float64(HISTO_MAX, max).float64(HISTO_NUM, n)
                .float64(HISTO_SUM, sum).float64(HISTO_SUM_SQUARES, sumSquares)
                .packedFloat64(HISTO_BUCKET_LIMIT, limits, buckets).packedFloat64(HISTO_BUCKET, counts, buckets);
        summary(step, System.currentTimeMillis() / 1000.0, new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_HISTO, histo));
    }

    /** Pushes what is written to the file, so that TensorBoard sees it. */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private void summary(long step, double wallTime, ProtoWriter value) throws IOException {
        write(new ProtoWriter().float64(EVENT_WALL_TIME, wallTime).varint(EVENT_STEP, step)
                .message(EVENT_SUMMARY, new ProtoWriter().message(SUMMARY_VALUE, value)));
    }

    private void write(ProtoWriter event) throws IOException {
        byte[] data = event.toByteArray();
        byte[] length = littleEndian(data.length, 8);
        out.write(length);
        out.write(littleEndian(maskedCrc32c(length), 4));
        out.write(data);
        out.write(littleEndian(maskedCrc32c(data), 4));
    }

    /** TFRecord's masked CRC32C: rotate right by 15 bits, add 0xa282ead8 (mod 2³²). */
    static int maskedCrc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    private static byte[] littleEndian(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (v >>> 8 * i);
        return b;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
