package app.serve;

import java.nio.charset.StandardCharsets;

/**
 * A reusable, growable byte buffer that answers are written into as UTF-8 text: strings, integers
 * and floats appended without a String or char[] per call (a float goes through one scratch
 * StringBuilder, with the digits {@code StringBuilder.append(float)} gives: Java's round-trip text).
 */
final class ByteText {
    private byte[] b;
    private int n;
    private final StringBuilder scratch = new StringBuilder(24);

    ByteText(int capacity) {
        b = new byte[capacity];
    }

    ByteText clear() {
        n = 0;
        return this;
    }

    byte[] array() { return b; }

    int length() { return n; }

    /** Drops storage grown past {@code capacity} by a large answer. */
    void shrink(int capacity) {
        if (b.length > capacity) b = new byte[capacity];
        n = 0;
    }

    ByteText ch(char c) {
        if (c >= 0x80) return str(String.valueOf(c));
        room(1);
        b[n++] = (byte) c;
        return this;
    }

    /** {@code s} as UTF-8. */
    ByteText str(String s) {
        int len = s.length();
        room(len);
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) return bytes(s.substring(i).getBytes(StandardCharsets.UTF_8)); // rare: not on the hot path
            b[n++] = (byte) c;
        }
        return this;
    }

    ByteText bytes(byte[] src) {
        return bytes(src, 0, src.length);
    }

    ByteText bytes(byte[] src, int off, int len) {
        room(len);
        System.arraycopy(src, off, b, n, len);
        n += len;
        return this;
    }

    ByteText num(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) return str(Long.toString(v));
            ch('-');
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) digits++;
        room(digits);
        for (int i = n + digits - 1; i >= n; i--, v /= 10) b[i] = (byte) ('0' + v % 10);
        n += digits;
        return this;
    }

    /** {@code f} as {@code StringBuilder.append(float)} writes it (so a client reads back the same float). */
    ByteText num(float f) {
        scratch.setLength(0);
        scratch.append(f);
        int len = scratch.length();
        room(len);
        for (int i = 0; i < len; i++) b[n++] = (byte) scratch.charAt(i);
        return this;
    }

    /** {@code [a[off], ..., a[off + count - 1]]}. */
    ByteText floats(float[] a, int off, int count) {
        ch('[');
        for (int i = 0; i < count; i++) {
            if (i > 0) ch(',');
            num(a[off + i]);
        }
        return ch(']');
    }

    private void room(int more) {
        if (n + more > b.length) b = java.util.Arrays.copyOf(b, Math.max(n + more, b.length * 2));
    }
}
