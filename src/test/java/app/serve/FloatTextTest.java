package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The request parser's decimal-to-float conversion is Float.parseFloat's, bit for bit. */
class FloatTextTest {
    static float parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return FloatText.parse(b, 0, b.length);
    }

    static void same(String s) {
        assertEquals(Float.floatToRawIntBits(Float.parseFloat(s)), Float.floatToRawIntBits(parse(s)), s);
    }

    @Test
    void shortestTextOfEveryKindOfFloatRoundTrips() {
        SplittableRandom rng = new SplittableRandom(18);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rng.nextInt());
            if (!Float.isFinite(f)) continue;
            same(Float.toString(f).replace("E", "e"));
            same(Double.toString(f).replace("E", "e")); // the double text of a float, as Python's json writes float32 values
        }
    }

    @Test
    void randomDecimalsAndMidpoints() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            long m = rng.nextLong(1L << 50);
            int e = rng.nextInt(-30, 30);
            same((rng.nextBoolean() ? "-" : "") + m + "e" + e);
            same("0." + m);
        }
        // exact midpoints between two floats, which the fast path must not round twice
        for (int i = 0; i < 10_000; i++) {
            float f = rng.nextFloat() * 1000;
            double mid = ((double) f + Math.nextUp(f)) / 2;
            same(new java.math.BigDecimal(mid).toPlainString());
        }
        for (String s : new String[] {"0", "-0", "0.0", "1", "-1.5", "3.4028235e38", "1.4e-45", "1e-50", "123456789012345678901234567890", "0.1", "16777217"}) same(s);
    }
}
