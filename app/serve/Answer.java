package app.serve;

import java.nio.charset.StandardCharsets;

/** The status line and headers of an answer, written as bytes; the Date line is made once a second. */
final class Answer {
    static final String JSON = "application/json";
    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static volatile long dateSecond = -1;
    private static volatile byte[] dateLine;

    private Answer() {}

    /**
     * {@code HTTP/1.1 status reason}, Content-Type, Content-Length, Date, and as asked Allow,
     * Retry-After and Connection (close, or keep-alive for an HTTP/1.0 client that asked for it).
     */
    static void head(ByteText out, int status, String contentType, int length, String allow, boolean retryAfter,
                     boolean close, boolean http10KeepAlive) {
        out.clear().str("HTTP/1.1 ").num(status).ch(' ').str(reason(status)).str("\r\nContent-Type: ").str(contentType)
                .str("\r\nContent-Length: ").num(length).str("\r\n").bytes(date());
        if (allow != null) out.str("Allow: ").str(allow).str("\r\n");
        if (retryAfter) out.str("Retry-After: 1\r\n");
        if (close) out.str("Connection: close\r\n");
        else if (http10KeepAlive) out.str("Connection: keep-alive\r\n");
        out.str("\r\n");
    }

    private static byte[] date() {
        long now = System.currentTimeMillis() / 1000;
        byte[] d = dateLine;
        if (now != dateSecond || d == null) {
            d = imfFixdate(now);
            dateLine = d;
            dateSecond = now;
        }
        return d;
    }

    private static final String DAYS = "ThuFriSatSunMonTueWed"; // 1970-01-01 was a Thursday
    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    /**
     * {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n} (IMF-fixdate, RFC 9110 5.6.7) for a time in
     * seconds since 1970, with nothing but the 37 bytes allocated (a DateTimeFormatter made a
     * kilobyte of garbage a second). The civil date from the day number: H. Hinnant's algorithm.
     */
    static byte[] imfFixdate(long epochSecond) {
        long days = Math.floorDiv(epochSecond, 86_400);
        int secs = (int) Math.floorMod(epochSecond, 86_400);
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        byte[] b = new byte[37];
        int i = 0;
        i = ascii(b, i, "Date: ");
        int dow = (int) Math.floorMod(days, 7);
        for (int k = 0; k < 3; k++) b[i++] = (byte) DAYS.charAt(3 * dow + k);
        b[i++] = ',';
        b[i++] = ' ';
        i = two(b, i, day);
        b[i++] = ' ';
        for (int k = 0; k < 3; k++) b[i++] = (byte) MONTHS.charAt(3 * (month - 1) + k);
        b[i++] = ' ';
        i = two(b, i, (int) (year / 100));
        i = two(b, i, (int) (year % 100));
        b[i++] = ' ';
        i = two(b, i, secs / 3600);
        b[i++] = ':';
        i = two(b, i, secs / 60 % 60);
        b[i++] = ':';
        i = two(b, i, secs % 60);
        ascii(b, i, " GMT\r\n");
        return b;
    }

    private static int ascii(byte[] b, int i, String s) {
        for (int k = 0; k < s.length(); k++) b[i++] = (byte) s.charAt(k);
        return i;
    }

    private static int two(byte[] b, int i, int v) {
        b[i] = (byte) ('0' + v / 10);
        b[i + 1] = (byte) ('0' + v % 10);
        return i + 2;
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
