package data;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import tensor.io.FileFormatException;

/**
 * A binary data file read front to back, raw or gzip (detected by the magic 0x1f 0x8b), that
 * knows its byte position so errors can say where they happened and how much data can be left.
 */
final class ByteSource implements Closeable {
    /** Deflate's best case is about 1032:1; a gzip file cannot hold more than this many bytes per byte. */
    static final long MAX_GZIP_RATIO = 1032;

    final Path file;
    final boolean gzip;
    final long fileSize;
    private final InputStream in;
    private long position;

    private ByteSource(Path file, boolean gzip, long fileSize, InputStream in) {
        this.file = file;
        this.gzip = gzip;
        this.fileSize = fileSize;
        this.in = in;
    }

    static ByteSource open(Path file) throws IOException {
        long size = Files.size(file);
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
        raw.reset();
        try {
            InputStream in = gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
            return new ByteSource(file, gzip, size, in);
        } catch (IOException e) {
            raw.close();
            throw new FileFormatException(file, 0, "starts like gzip but is not readable gzip: " + e.getMessage());
        }
    }

    long position() { return position; }

    /** The most bytes that can be left after the current position (exact for a raw file, bounded for gzip). */
    long maxRemaining() {
        return gzip ? Math.max(0, fileSize * MAX_GZIP_RATIO - position) : fileSize - position;
    }

    /** " (in the gunzipped stream)" for gzip files, so an offset is not mistaken for a file offset. */
    String where() {
        return gzip ? " (offsets are in the gunzipped stream)" : "";
    }

    /** Fills {@code b[off, off+len)} or throws naming {@code what} and where the data ended. */
    void readFully(byte[] b, int off, int len, String what) throws IOException {
        int done = 0;
        while (done < len) {
            int r;
            try {
                r = in.read(b, off + done, len - done);
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new FileFormatException(file, position + done, "corrupt gzip data while reading " + what + ": " + e.getMessage() + where());
            }
            if (r < 0) {
                throw new FileFormatException(file, position + done, "truncated: " + what + " ends after " + (position + done)
                        + " bytes" + where());
            }
            done += r;
        }
        position += len;
    }

    /** A big-endian 32-bit integer. */
    int readIntBE(String what) throws IOException {
        byte[] b = new byte[4];
        readFully(b, 0, 4, what);
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** Throws if any byte is left: a file longer than its header says is as suspect as a short one. */
    void expectEnd(String what) throws IOException {
        int r;
        try {
            r = in.read();
        } catch (java.util.zip.ZipException | java.io.EOFException e) {
            throw new FileFormatException(file, position, "corrupt gzip data after " + what + ": " + e.getMessage() + where());
        }
        if (r >= 0) {
            throw new FileFormatException(file, position, "unexpected bytes after " + what + " (the header's counts do not match the file length)" + where());
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
