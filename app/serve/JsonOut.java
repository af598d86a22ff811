package app.serve;

import tensor.io.Json;

/** Helpers that append JSON to a StringBuilder: numbers of float arrays as Java's shortest round-trip text. */
final class JsonOut {
    private JsonOut() {}

    /** {@code [a[off], ..., a[off + n - 1]]}. */
    static StringBuilder floats(StringBuilder sb, float[] a, int off, int n) {
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(',');
            sb.append(a[off + i]);
        }
        return sb.append(']');
    }

    static StringBuilder string(StringBuilder sb, String s) {
        Json.quote(s, sb);
        return sb;
    }

    static String error(String message) {
        StringBuilder sb = new StringBuilder("{\"error\":");
        string(sb, message);
        return sb.append('}').toString();
    }
}
