package app.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free parser of {@code {"inputs": [[...]]}} answers exactly what InferRequest.rows
 * answers wherever it answers (the same floats, bit for bit, and the same row count), and leaves
 * every other body, valid or not, to InferRequest.rows.
 */
class RowsParserTest {
    private static final int INPUTS = 4;

    @Test
    void theCommonFormsAreReadWithoutTheFullParser() {
        for (String body : new String[] {"{\"inputs\":[[0,1.5,-2e3,0.25]]}", "{\"inputs\": [[0.0, 0.0, 0.1, 1]]}",
                " {\n\t\"inputs\" : [ [1,2,3,4] , [5,6,7,8] ] \r\n} ", "{\"inputs\":[1,2,3,4]}", "{\"inputs\":[[1E-7,-0,0.000001,3.4028235e38]]}"}) {
            assertTrue(fast(body) > 0, body);
            assertSame(body);
        }
    }

    @Test
    void otherBodiesGoToTheFullParser() {
        for (String body : new String[] {"{\"inputs\":[[1,2,3]]}", "{\"inputs\":[[1,2,3,4,5]]}", "{\"inputs\":[]}", "{\"inputs\":[[]]}",
                "{\"inputs\":[[1,2,3,4]],\"x\":1}", "{\"in\\u0070uts\":[[1,2,3,4]]}", "{\"inputs\":[[1,2,3,1e39]]}", "{\"inputs\":[[01,2,3,4]]}",
                "{\"inputs\":[[1,2,3,4]]} x", "{\"inputs\":[[1,2,3,NaN]]}", "{\"inputs\":[[1,2,3,4],5]}", "{\"inputs\":[[[1,2,3,4]]]}",
                "{\"inputs\":[[1,2,3,4.]]}", "{\"inputs\":[[1,2,3,-]]}", "", "{", "[]", "{\"inputs\":[[1,2,3,4]]"}) {
            assertEquals(-1, fast(body), body);
            assertSame(body);
        }
    }

    @Test
    void mutatedBodiesAgreeWithTheFullParser() {
        SplittableRandom rng = new SplittableRandom(5);
        String alphabet = "{}[],:\" \n\t-+.eE0123456789inputsNaI\\x";
        int agreed = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder("{\"inputs\": [");
            int rows = 1 + rng.nextInt(3);
            for (int r = 0; r < rows; r++) {
                sb.append(r == 0 ? "[" : ", [");
                for (int i = 0; i < INPUTS; i++) sb.append(i == 0 ? "" : ",").append(number(rng));
                sb.append(']');
            }
            sb.append("]}");
            int edits = rng.nextInt(3); // 0: the valid body
            for (int e = 0; e < edits; e++) {
                int at = rng.nextInt(sb.length() + 1);
                char c = alphabet.charAt(rng.nextInt(alphabet.length()));
                switch (rng.nextInt(3)) {
                    case 0 -> sb.insert(at, c);
                    case 1 -> { if (at < sb.length()) sb.deleteCharAt(at); }
                    default -> { if (at < sb.length()) sb.setCharAt(at, c); }
                }
            }
            if (assertSame(sb.toString())) agreed++;
        }
        assertTrue(agreed > 5_000, "too few bodies read by the fast parser to compare: " + agreed);
    }

    private static String number(SplittableRandom rng) {
        return switch (rng.nextInt(6)) {
            case 0 -> "0";
            case 1 -> Integer.toString(rng.nextInt(2000) - 1000);
            case 2 -> Float.toString((float) rng.nextGaussian());
            case 3 -> String.format("%.6f", rng.nextDouble());
            case 4 -> rng.nextInt(9) + "." + rng.nextInt(1000) + "e" + (rng.nextInt(60) - 30);
            default -> Double.toString(rng.nextDouble() * Math.pow(10, rng.nextInt(80) - 40));
        };
    }

    private static int fast(String body) {
        byte[] b = ("xx" + body + "yy").getBytes(StandardCharsets.UTF_8); // the body sits inside a connection's buffer
        return new RowsParser().parse(b, 2, b.length - 2, INPUTS, new Job(j -> { }));
    }

    /** Asserts the fast parser agrees with InferRequest.rows; true when the fast one read the body itself. */
    private static boolean assertSame(String body) {
        byte[] b = ("xx" + body + "yy").getBytes(StandardCharsets.UTF_8);
        Job job = new Job(j -> { });
        int rows = new RowsParser().parse(b, 2, b.length - 2, INPUTS, job);
        if (rows < 0) return false;
        byte[] plain = body.getBytes(StandardCharsets.UTF_8);
        InferRequest want;
        try {
            want = InferRequest.rows(plain, plain.length, INPUTS);
        } catch (HttpError e) {
            throw new AssertionError("the fast parser read " + rows + " rows from a body the full parser refuses (" + e.getMessage() + "): " + body);
        }
        assertEquals(want.rows(), rows, body);
        float[] got = Arrays.copyOf(job.x, rows * INPUTS);
        int[] wb = new int[got.length], gb = new int[got.length];
        for (int i = 0; i < got.length; i++) {
            wb[i] = Float.floatToRawIntBits(want.x()[i]);
            gb[i] = Float.floatToRawIntBits(got[i]);
        }
        assertArrayEquals(wb, gb, body);
        return true;
    }
}
