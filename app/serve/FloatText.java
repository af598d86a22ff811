package app.serve;

import java.nio.charset.StandardCharsets;

/**
 * Decimal text to the nearest float, without a String on the common path. Fast path (Clinger): a
 * mantissa below 2⁵³ and a power of ten up to 10²² are exact doubles, so m·10^e or m/10^e is the
 * correctly rounded double d; (float) d is then the correctly rounded float unless d lies exactly
 * on a midpoint between two floats (the decimal may be on either side of it): that case, long
 * mantissas and large exponents go to {@link Float#parseFloat}.
 */
final class FloatText {
    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++, p *= 10) POW10[i] = p;
    }

    private FloatText() {}

    /** The float of the JSON number in {@code s[from, to)} (already checked to be well-formed). */
    static float parse(byte[] s, int from, int to) {
        int i = from;
        boolean negative = s[i] == '-';
        if (negative) i++;
        long m = 0;
        int digits = 0;
        int exp = 0;
        for (; i < to && s[i] >= '0' && s[i] <= '9'; i++) {
            if (m != 0 || s[i] != '0') digits++;
            m = m * 10 + (s[i] - '0');
            if (digits > 15) return slow(s, from, to);
        }
        if (i < to && s[i] == '.') {
            for (i++; i < to && s[i] >= '0' && s[i] <= '9'; i++) {
                if (m != 0 || s[i] != '0') digits++;
                m = m * 10 + (s[i] - '0');
                exp--;
                if (digits > 15) return slow(s, from, to);
            }
        }
        if (i < to) { // 'e' or 'E'
            i++;
            boolean negExp = s[i] == '-';
            if (s[i] == '-' || s[i] == '+') i++;
            int e = 0;
            for (; i < to; i++) {
                e = e * 10 + (s[i] - '0');
                if (e > 1000) return slow(s, from, to);
            }
            exp += negExp ? -e : e;
        }
        if (exp < -22 || exp > 22) return m == 0 ? (negative ? -0f : 0f) : slow(s, from, to);
        double d = exp < 0 ? m / POW10[-exp] : m * POW10[exp];
        // a float has 24 significant bits, a double 53: d is a float midpoint when its low 29 bits are 1 followed by 28 zeros
        if ((Double.doubleToRawLongBits(d) & 0x1FFFFFFFL) == 0x10000000L) return slow(s, from, to);
        float f = (float) d;
        return negative ? -f : f;
    }

    private static float slow(byte[] s, int from, int to) {
        return Float.parseFloat(new String(s, from, to - from, StandardCharsets.ISO_8859_1));
    }
}
