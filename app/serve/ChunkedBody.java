package app.serve;

/**
 * A chunked request body (RFC 9112 7.1) decoded in place as its bytes arrive: chunk data is moved
 * down over the chunk-size lines, so the body ends up contiguous where it began and the buffer
 * holds little more than the body. Chunk extensions and trailer fields are read and dropped.
 */
final class ChunkedBody {
    static final int MORE = 0, DONE = 1;
    private static final int SIZE = 0, DATA = 1, DATA_END = 2, TRAILER = 3;
    private static final int MAX_LINE = 4096;

    private int state;
    private long left;  // bytes of the current chunk still to come
    int out;            // the decoded body is [start, out)
    private int raw;    // the next byte not yet decoded
    private int start;
    private int trailer;
    String error;       // with a status from decode

    void start(int at) {
        state = SIZE;
        out = raw = start = at;
        trailer = 0;
        error = null;
    }

    /**
     * Decodes {@code b[raw, limit)}; returns {@link #MORE}, {@link #DONE} (the body is
     * {@code [start, out)}, the bytes after it begin at {@link #out} once {@link #compact} moved
     * them), or an error status (400, 413) with {@link #error}.
     */
    int decode(byte[] b, int limit, long maxBody) {
        while (true) {
            switch (state) {
                case SIZE -> {
                    int nl = HttpHead.indexOf(b, raw, limit, (byte) '\n');
                    if (nl < 0) return limit - raw > MAX_LINE ? fail(400, "a chunk-size line over " + MAX_LINE + " bytes") : MORE;
                    long size = 0;
                    int i = raw;
                    int digits = 0;
                    for (; i < nl; i++, digits++) {
                        int d = Character.digit(b[i], 16);
                        if (d < 0) break;
                        if (size > (maxBody >> 4) + 1) return fail(413, "a chunk larger than the limit of " + maxBody + " bytes (--max-body-bytes)");
                        size = size * 16 + d;
                    }
                    if (digits == 0) return fail(400, "a chunk does not start with its size in hex");
                    for (; i < nl; i++) {
                        byte c = b[i];
                        if (c == ';') break; // an extension: ignored
                        if (c != ' ' && c != '\t' && c != '\r') return fail(400, "a chunk-size line holds something other than the size");
                    }
                    raw = nl + 1;
                    if (size == 0) {
                        state = TRAILER;
                    } else {
                        if (out - start + size > maxBody) return fail(413, "the chunked body is more than the limit of " + maxBody + " bytes (--max-body-bytes)");
                        left = size;
                        state = DATA;
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(left, limit - raw);
                    if (n == 0) return MORE;
                    System.arraycopy(b, raw, b, out, n);
                    out += n;
                    raw += n;
                    left -= n;
                    if (left == 0) state = DATA_END;
                }
                case DATA_END -> {
                    if (raw >= limit) return MORE;
                    if (b[raw] == '\n') {
                        raw++;
                    } else if (b[raw] == '\r') {
                        if (raw + 1 >= limit) return MORE;
                        if (b[raw + 1] != '\n') return fail(400, "chunk data is not followed by CRLF");
                        raw += 2;
                    } else {
                        return fail(400, "chunk data is longer than its size");
                    }
                    state = SIZE;
                }
                default -> { // TRAILER: field lines up to an empty line
                    int nl = HttpHead.indexOf(b, raw, limit, (byte) '\n');
                    if (nl < 0) return limit - raw > MAX_LINE ? fail(400, "a trailer line over " + MAX_LINE + " bytes") : MORE;
                    boolean empty = nl == raw || (nl == raw + 1 && b[raw] == '\r');
                    trailer += nl + 1 - raw;
                    raw = nl + 1;
                    if (empty) return DONE;
                    if (trailer > 4 * MAX_LINE) return fail(400, "trailer fields over " + 4 * MAX_LINE + " bytes");
                }
            }
        }
    }

    /** Moves the undecoded bytes down to {@link #out}; returns the new end of the buffer's bytes. */
    int compact(byte[] b, int limit) {
        int n = limit - raw;
        if (raw > out) System.arraycopy(b, raw, b, out, n);
        raw = out;
        return out + n;
    }

    private int fail(int status, String message) {
        error = message;
        return status;
    }
}
