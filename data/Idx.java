package data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import tensor.Tensor;
import tensor.io.FileFormatException;

/**
 * The IDX format of MNIST and Fashion-MNIST (raw or gzip): a magic {@code 0x00 0x00 type ndim}
 * (type 0x08 = unsigned byte), ndim big-endian int32 sizes, then the data row-major.
 * Images are idx3 ({@code 0x00000803}: n, rows, cols), labels idx1 ({@code 0x00000801}: n).
 *
 * <p>The sizes in a header are checked against the memory bound and the file length before any
 * array of that size is allocated; pixels become floats in [0, 1] (value / 255).
 */
public final class Idx {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private Idx() {}

    /** Pixel data of an idx3 file: a Tensor [n, rows·cols] in [0, 1] and the image size. */
    public record Images(Tensor pixels, int rows, int cols) {
        public int count() { return pixels.dim(0); }
    }

    /** Reads an images file and a labels file that must agree in count, as a Dataset. */
    public static Dataset load(String name, Path images, Path labels, int numClasses, List<String> classNames, long maxBytes) throws IOException {
        Images im = readImages(images, maxBytes);
        int[] y = readLabels(labels, numClasses);
        if (y.length != im.count()) {
            throw new FileFormatException(labels, 4, "has " + y.length + " labels but the images file " + images + " has "
                    + im.count() + " images");
        }
        return new Dataset(name, im.pixels, y, numClasses, new ImageShape(1, im.rows, im.cols), classNames);
    }

    /** v / 255f for every byte value v: the same floats as the division, without 47 million divisions for Fashion-MNIST. */
    private static final float[] UNIT = new float[256];

    static {
        for (int v = 0; v < 256; v++) UNIT[v] = v / 255f;
    }

    /**
     * Pixel value / 255, the byte range [0, 255] onto [0, 1], from a table of the 256 quotients. A
     * method of its own so that C2 compiles this loop alone (a few ms) and not all of readImages
     * around it, twice on stack and once whole (~260 ms of a core while the data loads).
     */
    private static void toUnit(byte[] chunk, int len, float[] a, int at) {
        for (int i = 0; i < len; i++) a[at + i] = UNIT[chunk[i] & 0xff];
    }

    /** Reads an idx3 unsigned-byte images file. */
    public static Images readImages(Path file, long maxBytes) throws IOException {
        try (ByteSource src = ByteSource.open(file)) {
            int magic = src.readIntBE("the magic number");
            if (magic != IMAGES_MAGIC) {
                throw new FileFormatException(file, 0, String.format("not an IDX images file: magic is 0x%08x, expected 0x%08x "
                        + "(unsigned bytes, 3 dimensions)%s", magic, IMAGES_MAGIC, magic == LABELS_MAGIC ? "; this is a labels file" : ""));
            }
            int n = src.readIntBE("the image count");
            int rows = src.readIntBE("the row count");
            int cols = src.readIntBE("the column count");
            if (n < 0 || rows <= 0 || cols <= 0) {
                throw new FileFormatException(file, 4, "bad sizes in the header: " + n + " images of " + rows + "x" + cols);
            }
            // Each factor is below 2^31: rows·cols fits a long, and so does n·(rows·cols) once rows·cols < 2^31.
            long perImage = (long) rows * cols;
            long pixels = perImage > Integer.MAX_VALUE ? Long.MAX_VALUE / 4 : n * perImage;
            if (pixels > maxBytes / 4) {
                throw new FileFormatException(file, 4, n + " images of " + rows + "x" + cols + " need " + mib(4 * pixels)
                        + " as float32, more than the bound of " + mib(maxBytes) + " (raise it with -Dnabla.data.maxBytes)");
            }
            if (pixels > src.maxRemaining()) {
                throw new FileFormatException(file, 16, "truncated: " + n + " images of " + rows + "x" + cols + " need " + pixels
                        + " bytes of pixels from byte 16 but a " + (src.gzip ? "gzip " : "") + "file of " + src.fileSize
                        + " bytes " + (src.gzip ? "cannot hold that many" : "has only " + src.maxRemaining() + " left"));
            }
            Tensor t = Tensor.zeros(n, rows * cols);
            float[] a = t.data();
            byte[] chunk = new byte[1 << 16];
            for (long done = 0; done < pixels; ) {
                int len = (int) Math.min(chunk.length, pixels - done);
                src.readFully(chunk, 0, len, "the pixel data of " + n + " images of " + rows + "x" + cols + " (" + pixels + " bytes from byte 16)");
                toUnit(chunk, len, a, (int) done);
                done += len;
            }
            src.expectEnd("the pixel data");
            return new Images(t, rows, cols);
        }
    }

    /** Reads an idx1 unsigned-byte labels file; every label must be below {@code numClasses}. */
    public static int[] readLabels(Path file, int numClasses) throws IOException {
        try (ByteSource src = ByteSource.open(file)) {
            int magic = src.readIntBE("the magic number");
            if (magic != LABELS_MAGIC) {
                throw new FileFormatException(file, 0, String.format("not an IDX labels file: magic is 0x%08x, expected 0x%08x "
                        + "(unsigned bytes, 1 dimension)%s", magic, LABELS_MAGIC, magic == IMAGES_MAGIC ? "; this is an images file" : ""));
            }
            int n = src.readIntBE("the label count");
            if (n < 0) throw new FileFormatException(file, 4, "negative label count " + n);
            if (n > src.maxRemaining()) {
                throw new FileFormatException(file, 8, "truncated: " + n + " labels need " + n + " bytes from byte 8 but a "
                        + (src.gzip ? "gzip " : "") + "file of " + src.fileSize + " bytes " + (src.gzip ? "cannot hold that many" : "has only " + src.maxRemaining() + " left"));
            }
            byte[] b = new byte[n];
            src.readFully(b, 0, n, "the " + n + " labels from byte 8");
            src.expectEnd("the labels");
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = b[i] & 0xff;
                if (y[i] >= numClasses) {
                    throw new FileFormatException(file, 8 + i, "label " + y[i] + " of example " + i + " is not below " + numClasses + src.where());
                }
            }
            return y;
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
