package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Date line made by hand is the IMF-fixdate java.time formats, from 1970 to 2400 (leap years and centuries included). */
class AnswerTest {
    private static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @Test
    void theDateLineIsImfFixdate() {
        assertEquals("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n", line(784111777L)); // RFC 9110's example
        SplittableRandom rng = new SplittableRandom(3);
        long end = Instant.parse("2400-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            long t = i < 2_000 ? Instant.parse("2000-02-28T00:00:00Z").getEpochSecond() + 3_600L * i : rng.nextLong(end);
            assertEquals("Date: " + IMF.format(Instant.ofEpochSecond(t)) + "\r\n", line(t), "at " + Instant.ofEpochSecond(t));
        }
    }

    private static String line(long epochSecond) {
        return new String(Answer.imfFixdate(epochSecond), StandardCharsets.US_ASCII);
    }
}
