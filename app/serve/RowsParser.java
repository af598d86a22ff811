package app.serve;

/**
 * The common TorchServe body, {@code {"inputs": [[...], ...]}} or {@code {"inputs": [...]}} with any
 * JSON whitespace, read straight into a {@link Job}'s reused float[]: nothing is allocated. Any
 * other body, valid or not (another key, an escape, a wrong count, a malformed number), returns -1
 * and {@link InferRequest#rows} reads it, with its errors. Where this parser answers, it answers
 * what InferRequest.rows would (RowsParserTest checks both on the same bodies): the same number
 * grammar (RFC 8259) and the same conversion ({@link FloatText}).
 */
final class RowsParser {
    private byte[] s;
    private int end;
    private int pos;

    /** The rows of {@code body[from, to)} into {@code job} (its x), or -1 when the full parser must read it. */
    int parse(byte[] body, int from, int to, int inputs, Job job) {
        s = body;
        end = to;
        pos = from;
        try {
            return rows(inputs, job);
        } finally {
            s = null;
        }
    }

    private int rows(int inputs, Job job) {
        ws();
        if (!take('{')) return -1;
        ws();
        if (!key()) return -1;
        ws();
        if (!take(':')) return -1;
        ws();
        if (!take('[')) return -1;
        ws();
        int rows = 0;
        if (peek() == '[') {
            while (true) {
                pos++;
                if (row(inputs, job, rows * inputs) != inputs) return -1;
                rows++;
                ws();
                if (take(']')) break;
                if (!take(',')) return -1;
                ws();
                if (peek() != '[') return -1;
            }
        } else {
            if (row(inputs, job, 0) != inputs) return -1;
            rows = 1;
        }
        ws();
        if (!take('}')) return -1;
        ws();
        return pos == end ? rows : -1;
    }

    /** The numbers of an array whose '[' was read, up to its ']', into x[at...]; their count, or -1. */
    private int row(int inputs, Job job, int at) {
        ws();
        if (take(']')) return 0;
        float[] x = job.room(at + inputs);
        int n = 0;
        while (true) {
            if (n == inputs) return -1; // more than a row: the full parser says how many
            int start = pos;
            if (!number()) return -1;
            float v = FloatText.parse(s, start, pos);
            if (Float.isInfinite(v)) return -1;
            x[at + n++] = v;
            ws();
            if (take(']')) return n;
            if (!take(',')) return -1;
            ws();
        }
    }

    /** A JSON number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, as JsonBody reads it. */
    private boolean number() {
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (digit(peek())) {
            while (digit(peek())) pos++;
        } else {
            return false;
        }
        if (peek() == '.') {
            pos++;
            if (!digit(peek())) return false;
            while (digit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!digit(peek())) return false;
            while (digit(peek())) pos++;
        }
        return true;
    }

    private static final byte[] KEY = {'"', 'i', 'n', 'p', 'u', 't', 's', '"'};

    private boolean key() {
        byte[] k = KEY;
        if (end - pos < k.length) return false;
        for (int i = 0; i < k.length; i++) if (s[pos + i] != k[i]) return false;
        pos += k.length;
        return true;
    }

    private boolean take(char c) {
        if (pos < end && s[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    private int peek() {
        return pos < end ? s[pos] : 0;
    }

    private static boolean digit(int c) {
        return c >= '0' && c <= '9';
    }

    private void ws() {
        while (pos < end) {
            int c = s[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos++;
        }
    }
}
