package data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.FileFormatException;

class Cifar10Test {
    @TempDir Path dir;

    /** n records: label i % 10; pixel p of record i is (i + p) mod 256. */
    static byte[] batch(int n) {
        byte[] b = new byte[n * Cifar10.RECORD];
        for (int i = 0; i < n; i++) {
            b[i * Cifar10.RECORD] = (byte) (i % 10);
            for (int p = 0; p < Cifar10.PIXELS; p++) b[i * Cifar10.RECORD + 1 + p] = (byte) (i + p);
        }
        return b;
    }

    @Test
    void readsRecordsAsChwImages() throws IOException {
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, batch(3));
        Dataset d = Cifar10.readBatch(f, 1 << 30);
        assertEquals(3, d.size());
        assertEquals(new ImageShape(3, 32, 32), d.imageShape().orElseThrow());
        assertArrayEquals(new int[] {0, 1, 2}, d.labels());
        assertEquals("bird", d.className(2));
        // Record 1, green plane (offset 1024), pixel (0, 5): byte (1 + 1024 + 5) mod 256 = 6.
        assertEquals(6f / 255f, d.features().get(1, 1024 + 5));
    }

    @Test
    void loadsTheFiveTrainBatchesAndTheTestBatch() throws IOException {
        for (int b = 1; b <= 5; b++) Files.write(dir.resolve("data_batch_" + b + ".bin"), batch(2));
        Files.write(dir.resolve("test_batch.bin"), batch(4));
        Dataset.Split s = Cifar10.load(dir, 1 << 30);
        assertEquals(10, s.train().size());
        assertEquals(4, s.test().size());
    }

    @Test
    void badBatchesAreRefusedWithTheOffset() throws IOException {
        Path shortFile = dir.resolve("short.bin");
        Files.write(shortFile, Arrays.copyOf(batch(2), 2 * Cifar10.RECORD - 7));
        FileFormatException e = assertThrows(FileFormatException.class, () -> Cifar10.readBatch(shortFile, 1 << 30));
        assertEquals(Cifar10.RECORD, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("whole records of 3073 bytes"), e.getMessage());

        byte[] b = batch(3);
        b[2 * Cifar10.RECORD] = 10;
        Path badLabel = dir.resolve("label.bin");
        Files.write(badLabel, b);
        FileFormatException l = assertThrows(FileFormatException.class, () -> Cifar10.readBatch(badLabel, 1 << 30));
        assertEquals(2L * Cifar10.RECORD, l.offset());
        assertTrue(l.getMessage().contains("label 10 of record 2"), l.getMessage());

        Path big = dir.resolve("big.bin");
        Files.write(big, batch(3));
        FileFormatException m = assertThrows(FileFormatException.class, () -> Cifar10.readBatch(big, 3L * Cifar10.PIXELS * 4 - 1));
        assertTrue(m.getMessage().contains("more than the bound"), m.getMessage());

        Path gz = dir.resolve("gz.bin");
        Files.write(gz, IdxTest.gzip(batch(1)));
        FileFormatException g = assertThrows(FileFormatException.class, () -> Cifar10.readBatch(gz, 1 << 30));
        assertTrue(g.getMessage().contains("extract the CIFAR-10 archive"), g.getMessage());
    }
}
