package data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.FileFormatException;

class IdxTest {
    @TempDir Path dir;

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length); // big-endian by default, as IDX is
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(raw);
        }
        return bo.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** 3 images of 2x3 with pixels 0, 51, 102, ... and labels 2, 0, 9. */
    private static byte[] pixels() {
        byte[] p = new byte[18];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 15);
        return p;
    }

    @Test
    void readsRawAndGzipAlike() throws IOException {
        byte[] images = idx(0x803, new int[] {3, 2, 3}, pixels());
        byte[] labels = idx(0x801, new int[] {3}, new byte[] {2, 0, 9});
        for (boolean gz : new boolean[] {false, true}) {
            Path im = write("im" + gz, gz ? gzip(images) : images);
            Path lb = write("lb" + gz, gz ? gzip(labels) : labels);
            Dataset d = Idx.load("tiny", im, lb, 10, null, 1 << 20);
            assertEquals(3, d.size());
            assertEquals(new ImageShape(1, 2, 3), d.imageShape().orElseThrow());
            assertArrayEquals(new int[] {2, 0, 9}, d.labels());
            assertEquals(15f / 255f, d.features().get(0, 1));
            assertEquals(255f / 255f, d.features().get(2, 5)); // 17 · 15 = 255
        }
    }

    private static void rejected(Executable call, long offset, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, call::run);
        assertEquals(offset, e.offset(), e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
    }

    interface Executable {
        void run() throws Exception;
    }

    @Test
    void wrongMagicIsNamed() throws IOException {
        Path labels = write("labels", idx(0x801, new int[] {3}, new byte[3]));
        rejected(() -> Idx.readImages(labels, 1 << 20), 0, "magic is 0x00000801", "expected 0x00000803", "this is a labels file");
        Path png = write("png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 0});
        rejected(() -> Idx.readLabels(png, 10), 0, "not an IDX labels file");
    }

    @Test
    void truncatedDataSaysWhereItEnds() throws IOException {
        byte[] full = idx(0x803, new int[] {3, 2, 3}, pixels());
        Path raw = write("short", Arrays.copyOf(full, full.length - 5));
        rejected(() -> Idx.readImages(raw, 1 << 20), 16, "truncated", "need 18 bytes", "has only 13 left");
        Path gz = write("short.gz", gzip(Arrays.copyOf(full, full.length - 5)));
        rejected(() -> Idx.readImages(gz, 1 << 20), 29, "truncated", "ends after 29 bytes", "gunzipped");
        Path headerOnly = write("hdr", Arrays.copyOf(full, 10));
        rejected(() -> Idx.readImages(headerOnly, 1 << 20), 10, "the row count", "ends after 10 bytes");
        Path labels = write("lshort", Arrays.copyOf(idx(0x801, new int[] {3}, new byte[3]), 10));
        rejected(() -> Idx.readLabels(labels, 10), 8, "truncated", "3 labels need 3 bytes");
        Path longer = write("long", idx(0x803, new int[] {3, 2, 3}, Arrays.copyOf(pixels(), 19)));
        rejected(() -> Idx.readImages(longer, 1 << 20), 34, "unexpected bytes after the pixel data");
    }

    @Test
    void countsMustAgreeBetweenImagesAndLabels() throws IOException {
        Path im = write("im", idx(0x803, new int[] {3, 2, 3}, pixels()));
        Path lb = write("lb", idx(0x801, new int[] {2}, new byte[] {1, 1}));
        rejected(() -> Idx.load("x", im, lb, 10, null, 1 << 20), 4, "has 2 labels", "has 3 images");
        Path bad = write("bad", idx(0x801, new int[] {3}, new byte[] {1, 10, 1}));
        rejected(() -> Idx.readLabels(bad, 10), 9, "label 10 of example 1", "not below 10");
    }

    @Test
    void hugeDimensionsAreRefusedBeforeAllocating() throws IOException {
        // A 16-byte header that claims 2^31-1 images of 2^31-1 x 2^31-1.
        Path hostile = write("hostile", idx(0x803, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]));
        rejected(() -> Idx.readImages(hostile, 1L << 31), 4, "more than the bound of 2048.0 MiB");
        // Within the bound, but the file cannot hold it: refused from the file length, not by reading.
        Path liar = write("liar", idx(0x803, new int[] {1000, 28, 28}, new byte[100]));
        rejected(() -> Idx.readImages(liar, 1L << 31), 16, "truncated", "need 784000 bytes", "has only 100 left");
        // A 40-byte gzip file cannot inflate to 10 MB: refused before the allocation too.
        Path gz = write("liar.gz", gzip(idx(0x803, new int[] {10_000, 32, 32}, new byte[0])));
        rejected(() -> Idx.readImages(gz, 1L << 31), 16, "cannot hold that many");
        Path negative = write("neg", idx(0x803, new int[] {-1, 28, 28}, new byte[0]));
        rejected(() -> Idx.readImages(negative, 1L << 31), 4, "bad sizes", "-1 images");
        Path negLabels = write("negl", idx(0x801, new int[] {-5}, new byte[0]));
        rejected(() -> Idx.readLabels(negLabels, 10), 4, "negative label count -5");
    }

    // ------------------------------------------------------------ finding datasets by name

    private void fakeFashion(Path root) throws IOException {
        Path d = Files.createDirectories(root.resolve("fashion-mnist"));
        Files.write(d.resolve("train-images-idx3-ubyte.gz"), gzip(idx(0x803, new int[] {3, 2, 3}, pixels())));
        Files.write(d.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(0x801, new int[] {3}, new byte[] {2, 0, 9})));
        Files.write(d.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[] {1, 2, 3}, new byte[6]));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[] {1}, new byte[] {7}));
    }

    @Test
    void namedDatasetIsFoundUnderNablaDataFirst() throws IOException {
        Path mine = dir.resolve("mine");
        Path system = dir.resolve("system");
        fakeFashion(mine);
        Dataset.Split s = Datasets.open("fashion-mnist", Map.of("NABLA_DATA", mine.toString()), List.of(system));
        assertEquals(3, s.train().size());
        assertEquals(1, s.test().size());
        assertEquals("Ankle boot", s.train().className(9));
        // Only the system root has it: found there.
        Dataset.Split t = Datasets.open("Fashion-MNIST", Map.of(), List.of(dir.resolve("none"), mine));
        assertEquals(7, t.test().labels()[0]);
    }

    @Test
    void absentDatasetSaysHowToGetItInOneLine() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> Datasets.open("fashion-mnist", Map.of("NABLA_DATA", dir.toString()), List.of(dir.resolve("usr"))));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("NABLA_DATA"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        DatasetNotFoundException m = assertThrows(DatasetNotFoundException.class, () -> Datasets.open("mnist", Map.of(), List.of()));
        assertTrue(m.getMessage().contains("set NABLA_DATA"), m.getMessage());
        DatasetNotFoundException u = assertThrows(DatasetNotFoundException.class, () -> Datasets.open("imagenet", Map.of(), List.of()));
        assertTrue(u.getMessage().contains("unknown dataset 'imagenet'"), u.getMessage());
    }

    @Test
    void pathsOpenCsvFilesAndFolders() throws IOException {
        Path csv = dir.resolve("table.csv");
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 20; i++) sb.append(i).append(',').append(-i).append(',').append(i % 2).append('\n');
        Files.writeString(csv, sb.toString());
        Dataset.Split s = Datasets.open(csv.toString(), Map.of(), List.of());
        assertEquals(16, s.train().size());
        assertEquals(4, s.test().size());
        assertArrayEquals(new int[] {2, 2}, s.test().classCounts(), "stratified");
        fakeFashion(dir.resolve("idx"));
        assertEquals(3, Datasets.open(dir.resolve("idx/fashion-mnist").toString(), Map.of(), List.of()).train().size());
    }

    /** The real Fashion-MNIST of Debian's dataset-fashion-mnist, when installed; skipped otherwise. */
    @Test
    void realFashionMnistWhenInstalled() throws IOException {
        Path dir = Datasets.SYSTEM_ROOT.resolve("fashion-mnist");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        Dataset test = Idx.load("fashion-mnist/test", dir.resolve("t10k-images-idx3-ubyte.gz"),
                dir.resolve("t10k-labels-idx1-ubyte.gz"), 10, Datasets.FASHION_MNIST_CLASSES, Dataset.maxBytes());
        assertEquals(10_000, test.size());
        assertEquals(new ImageShape(1, 28, 28), test.imageShape().orElseThrow());
        // The test set is balanced: 1,000 images per class.
        int[] expected = new int[10];
        Arrays.fill(expected, 1000);
        assertArrayEquals(expected, test.classCounts());
        // The first test image is an ankle boot (class 9), as the dataset's README shows.
        assertEquals(9, test.labels()[0]);
    }
}
