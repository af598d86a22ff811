package data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.FileFormatException;

/** A 57-byte PNG whose header claims 30000x30000 pixels is refused from its header, before decoding. */
class ImageBombTest {
    @TempDir Path root;

    /** A PNG signature, an IHDR chunk of {@code w}x{@code h} 8-bit gray, and IEND: no pixel data at all. */
    static byte[] pngHeaderOnly(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 0, 0, 0, 0});  // bit depth 8, gray, deflate, no filter, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeader() throws IOException {
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        Files.write(root.resolve("a/bomb.png"), pngHeaderOnly(30000, 30000));
        Files.write(root.resolve("b/small.png"), pngHeaderOnly(2, 2));
        FileFormatException e = assertThrows(FileFormatException.class, () -> ImageFolder.load(root, 28, 28, false, Dataset.maxBytes()));
        assertTrue(e.getMessage().contains("bomb.png") && e.getMessage().contains("its header says 30000x30000 = 900,000,000 pixels, "
                + "more than the bound of 67,108,864"), e.getMessage());
    }
}
