package tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;

class NpyTest {
    @TempDir Path dir;

    @Test
    void roundTripIsBitwiseForEveryRank() throws IOException {
        for (int[] shape : new int[][] {{7}, {3, 5}, {2, 3, 4}, {2, 1, 3, 3}, {0, 3}}) {
            Tensor t = Tensor.randn(shape.length, 1f, shape);
            Path f = dir.resolve("t" + shape.length + ".npy");
            Npy.write(f, t);
            // numpy aligns the data to 64 bytes: magic(6) + version(2) + len(2) + header.
            assertEquals(0, (Files.size(f) - 4L * t.size()) % 64);
            Tensor back = Npy.read(f);
            assertArrayEquals(shape, back.shape());
            assertArrayEquals(t.data(), back.data());
        }
    }

    /** A version-1.0 file as numpy.save(np.arange(6, dtype='<f4').reshape(2, 3)) writes it (checked with numpy 2.4). */
    @Test
    void readsNumpysOwnLayout() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        // numpy leaves 21 - len("2") spaces for the first axis to grow, then pads to 128 bytes in all.
        String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
        ByteBuffer b = ByteBuffer.allocate(128 + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 6; i++) b.putFloat(i);
        Path f = dir.resolve("arange.npy");
        Files.write(f, b.array());
        Tensor t = Npy.read(f);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, t.data());
        // and ours is byte-identical to numpy's
        Path g = dir.resolve("ours.npy");
        Npy.write(g, t);
        assertArrayEquals(b.array(), Files.readAllBytes(g));
    }

    private Path npy(String dict, int dataBytes) throws IOException {
        byte[] h = dict.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length).put(h);
        Path f = dir.resolve("bad.npy");
        Files.write(f, b.array());
        return f;
    }

    private static void rejected(Path f, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().startsWith(f + ": byte "), e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
    }

    @Test
    void badFilesAreRefusedClearly() throws IOException {
        rejected(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n", 16), "dtype '<f8'");
        rejected(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n", 16), "Fortran-order");
        rejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 20), "needs 24 bytes", "has 20");
        rejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647), }\n", 8), "more elements");
        rejected(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }\n", 8), "bad dimension '-2'");
        Path notNpy = dir.resolve("x.npy");
        Files.write(notNpy, "PK\u0003\u0004 a zip file".getBytes(StandardCharsets.ISO_8859_1));
        rejected(notNpy, "byte 0", "magic");
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE);
        Path huge = dir.resolve("huge.npy");
        Files.write(huge, b.array());
        rejected(huge, "header length 2147483647");
    }

    /** Cross-check with the real numpy when python3 has it; skipped otherwise (no dependency). */
    @Test
    void numpyReadsOursAndWeReadNumpys() throws Exception {
        Path ours = dir.resolve("ours.npy");
        Path theirs = dir.resolve("theirs.npy");
        Npy.write(ours, Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, 3, 2));
        String script = "import numpy as np, sys\n"
                + "a = np.load(sys.argv[1]); assert a.dtype == np.float32 and a.shape == (3, 2), (a.dtype, a.shape)\n"
                + "assert a.tolist() == [[1.5, -2.0], [3.25, 0.0], [7.0, 8.0]], a.tolist()\n"
                + "np.save(sys.argv[2], np.arange(24, dtype='<f4').reshape(2, 3, 4) / 8)\n";
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", script, ours.toString(), theirs.toString()).redirectErrorStream(true).start();
        } catch (IOException noPython) {
            Assumptions.abort("python3 is not installed");
            return;
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeFalse(output.contains("No module named 'numpy'"), "numpy is not installed");
        assertEquals(0, p.exitValue(), output);
        Tensor t = Npy.read(theirs);
        assertArrayEquals(new int[] {2, 3, 4}, t.shape());
        for (int i = 0; i < 24; i++) assertEquals(i / 8f, t.data()[i]); // exact: i/8 is a dyadic rational
    }
}
