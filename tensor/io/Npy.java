package tensor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tensor.Tensor;

/**
 * NumPy's {@code .npy} format for float32 arrays: the magic {@code \x93NUMPY}, a version, a header
 * length, a Python-literal dict {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}
 * padded with spaces to a 64-byte boundary and ending in a newline, then the raw data.
 *
 * <p>Reads versions 1.0, 2.0 and 3.0 with descr {@code '<f4'} in C order, rank 1..4 (a 0-d array
 * reads as shape [1]); writes version 1.0. Shape and length are checked against the file before
 * the array is allocated.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** A header longer than this is refused (NumPy's own limit is 10,000 bytes for a read). */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Writes {@code t} as a version-1.0 {@code .npy} file of little-endian float32 in C order, atomically. */
    public static void write(Path file, Tensor t) throws IOException {
        int[] shape = t.shape();
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        if (shape.length > 1) dims.setLength(dims.length() - 2); // (3,) for rank 1, (2, 3) above
        else dims.setLength(dims.length() - 1);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        // As numpy >= 1.23: room for the first axis to grow to 21 digits (in-place appends), then
        // the total header (magic 6 + version 2 + length 2 + dict + padding + '\n') is a multiple of 64.
        if (shape.length > 0) dict += " ".repeat(Math.max(0, 21 - Integer.toString(shape[0]).length()));
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        Tensor c = t.contiguous() ? t : t.copy();
        AtomicFile.write(file, ch -> {
            ByteBuffer buf = ByteBuffer.allocate(Math.max(10 + h.length, 1 << 18)).order(ByteOrder.LITTLE_ENDIAN);
            buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h).flip();
            while (buf.hasRemaining()) ch.write(buf);
            int chunk = buf.capacity() / 4;
            for (int i = 0; i < c.size(); i += chunk) {
                int len = Math.min(chunk, c.size() - i);
                buf.clear();
                buf.asFloatBuffer().put(c.data(), c.offset() + i, len);
                buf.limit(4 * len);
                while (buf.hasRemaining()) ch.write(buf);
            }
        });
    }

    /** Reads a float32 {@code .npy} file. */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            while (pre.hasRemaining() && ch.read(pre, pre.position()) >= 0) { /* fill */ }
            if (pre.position() < 10) throw new FileFormatException(file, pre.position(), "too short for a .npy header (" + size + " bytes)");
            pre.flip();
            byte[] magic = new byte[6];
            pre.get(magic);
            if (!Arrays.equals(magic, MAGIC)) throw new FileFormatException(file, 0, "not a .npy file (the magic \\x93NUMPY is missing)");
            int major = pre.get() & 0xff;
            int minor = pre.get() & 0xff;
            long headerLen;
            int headerStart;
            if (major == 1) {
                headerLen = pre.getShort() & 0xffff;
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                if (pre.remaining() < 4) throw new FileFormatException(file, 8, "too short for a version " + major + " header length");
                headerLen = pre.getInt() & 0xffffffffL;
                headerStart = 12;
            } else {
                throw new FileFormatException(file, 6, "unsupported .npy version " + major + "." + minor);
            }
            if (headerLen > MAX_HEADER_BYTES || headerStart + headerLen > size) {
                throw new FileFormatException(file, 8, "header length " + headerLen + " runs past the end of the file (" + size
                        + " bytes) or the bound of " + MAX_HEADER_BYTES);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            while (hb.hasRemaining() && ch.read(hb, headerStart + hb.position()) >= 0) { /* fill */ }
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            int[] shape = parseHeader(file, header, headerStart);
            long dataStart = headerStart + headerLen;
            long elements = 1;
            for (int d : shape) elements *= d; // each d < 2^31 and rank <= 4 with the check below keeps this exact
            if (elements > Integer.MAX_VALUE - 8) {
                throw new FileFormatException(file, headerStart, "shape " + Arrays.toString(shape) + " has more elements than a Java array holds");
            }
            if (size - dataStart != 4 * elements) {
                throw new FileFormatException(file, dataStart, "shape " + Arrays.toString(shape) + " needs " + 4 * elements
                        + " bytes of float32 data but the file has " + (size - dataStart) + " after the header");
            }
            Tensor t = Tensor.zeros(shape.length == 0 ? new int[] {1} : shape);
            ByteBuffer buf = ByteBuffer.allocate(1 << 18).order(ByteOrder.LITTLE_ENDIAN);
            float[] a = t.data();
            long pos = dataStart;
            for (int i = 0; i < a.length; i += buf.capacity() / 4) {
                int len = Math.min(buf.capacity() / 4, a.length - i);
                buf.clear().limit(4 * len);
                while (buf.hasRemaining()) {
                    if (ch.read(buf, pos + buf.position()) < 0) throw new FileFormatException(file, pos + buf.position(), "file ends inside the data");
                }
                buf.flip().asFloatBuffer().get(a, i, len);
                pos += 4L * len;
            }
            return t;
        }
    }

    private static int[] parseHeader(Path file, String header, int at) throws FileFormatException {
        Matcher descr = DESCR.matcher(header);
        if (!descr.find()) throw new FileFormatException(file, at, "header has no 'descr': " + header.trim());
        String dtype = descr.group(1);
        if (!dtype.equals("<f4")) {
            throw new FileFormatException(file, at, "dtype '" + dtype + "' is not supported (nabla reads little-endian float32, '<f4')");
        }
        Matcher fortran = FORTRAN.matcher(header);
        if (!fortran.find()) throw new FileFormatException(file, at, "header has no 'fortran_order': " + header.trim());
        if (fortran.group(1).equals("True")) {
            throw new FileFormatException(file, at, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
        }
        Matcher shapeM = SHAPE.matcher(header);
        if (!shapeM.find()) throw new FileFormatException(file, at, "header has no 'shape' tuple: " + header.trim());
        List<Integer> dims = new ArrayList<>();
        for (String part : shapeM.group(1).split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            try {
                long d = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (d < 0 || d > Integer.MAX_VALUE) throw new NumberFormatException();
                dims.add((int) d);
            } catch (NumberFormatException e) {
                throw new FileFormatException(file, at, "bad dimension '" + p + "' in shape (" + shapeM.group(1) + ")");
            }
        }
        if (dims.size() > 4) throw new FileFormatException(file, at, "rank " + dims.size() + " is more than the 4 a Tensor holds");
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }
}
