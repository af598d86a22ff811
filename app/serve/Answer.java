package app.serve;

import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The status line and headers of an answer, written as bytes; the Date line is formatted once a second. */
final class Answer {
    static final String JSON = "application/json";
    static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    // IMF-fixdate (RFC 9110 5.6.7): RFC_1123_DATE_TIME would drop the day's leading zero
    private static final DateTimeFormatter IMF = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);
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
            String s = "Date: " + IMF.format(ZonedDateTime.now(ZoneOffset.UTC)) + "\r\n";
            d = s.getBytes(StandardCharsets.US_ASCII);
            dateLine = d;
            dateSecond = now;
        }
        return d;
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
