package data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tensor.Tensor;
import tensor.io.FileFormatException;

/**
 * CIFAR-10 binary batches ({@code cifar-10-batches-bin}): records of 1 label byte then 3,072
 * pixel bytes — 1,024 red, 1,024 green, 1,024 blue, each a 32×32 image row by row — which is
 * the CHW layout a row of the Dataset keeps. Pixels become floats in [0, 1] (value / 255).
 */
public final class Cifar10 {
    public static final int SIDE = 32;
    public static final int PIXELS = 3 * SIDE * SIDE;
    public static final int RECORD = 1 + PIXELS;
    public static final List<String> CLASSES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    private Cifar10() {}

    /** data_batch_1..5.bin as the train set and test_batch.bin as the test set, from {@code dir}. */
    public static Dataset.Split load(Path dir, long maxBytes) throws IOException {
        List<Dataset> train = new ArrayList<>();
        long budget = maxBytes;
        for (int b = 1; b <= 5; b++) {
            Path f = dir.resolve("data_batch_" + b + ".bin");
            if (!Files.isRegularFile(f)) throw new DatasetNotFoundException("CIFAR-10 batch " + f + " is missing");
            Dataset d = readBatch(f, budget);
            budget -= 4L * d.size() * PIXELS;
            train.add(d);
        }
        Dataset test = readBatch(dir.resolve("test_batch.bin"), budget);
        return new Dataset.Split(Dataset.concat("cifar10/train", train), test);
    }

    /** One binary batch file. */
    public static Dataset readBatch(Path file, long maxBytes) throws IOException {
        try (ByteSource probe = ByteSource.open(file)) {
            if (probe.gzip) throw new FileFormatException(file, 0, "is gzip: extract the CIFAR-10 archive first (tar xzf cifar-10-binary.tar.gz)");
        }
        long size = Files.size(file);
        if (size == 0 || size % RECORD != 0) {
            throw new FileFormatException(file, size - size % RECORD, "a CIFAR-10 batch is whole records of " + RECORD
                    + " bytes (1 label + 3072 pixels) but the file has " + size + " bytes: the record from this offset is truncated");
        }
        long n = size / RECORD;
        if (4 * n * PIXELS > maxBytes) {
            throw new FileFormatException(file, 0, n + " images of 3x32x32 need " + Idx.mib(4 * n * PIXELS)
                    + " as float32, more than the bound of " + Idx.mib(maxBytes) + " (raise it with -Dnabla.data.maxBytes)");
        }
        Tensor x = Tensor.zeros((int) n, PIXELS);
        int[] y = new int[(int) n];
        float[] a = x.data();
        byte[] rec = new byte[RECORD];
        try (ByteSource src = ByteSource.open(file)) {
            for (int i = 0; i < n; i++) {
                long at = src.position();
                src.readFully(rec, 0, RECORD, "record " + i);
                y[i] = rec[0] & 0xff;
                if (y[i] >= CLASSES.size()) {
                    throw new FileFormatException(file, at, "label " + y[i] + " of record " + i + " is not a CIFAR-10 class (0..9)");
                }
                // pixel value / 255: the byte range [0, 255] onto [0, 1]
                for (int p = 0; p < PIXELS; p++) a[i * PIXELS + p] = (rec[1 + p] & 0xff) / 255f;
            }
        }
        return new Dataset("cifar10/" + file.getFileName(), x, y, CLASSES.size(), new ImageShape(3, SIDE, SIDE), CLASSES);
    }
}
