package app.serve;

/**
 * An HTTP/1.x request head (RFC 9112), parsed in place from the bytes of a connection: the method,
 * the target's path and the few headers the server acts on, as offsets and flags; nothing is
 * allocated. A head it cannot accept sets {@link #status} and {@link #error}, a constant message.
 */
final class HttpHead {
    static final int GET = 1, POST = 2, HEAD = 3, OTHER = 4;

    int method;
    int methodStart, methodEnd;
    int pathStart, pathEnd;   // the target's path, without the query
    boolean http11;
    long contentLength;       // -1: none given
    boolean chunked;
    boolean close;            // the client asked to close after the answer (or HTTP/1.0 without keep-alive)
    boolean expectContinue;
    int typeStart, typeEnd;   // the Content-Type value, trimmed; typeStart < 0: none
    int status;               // 0, or the status of a refused head
    String error;

    /**
     * The end of the head that starts at {@code b[from]}: the index after its empty line, or -1 when
     * it has not all arrived. Lines end in CRLF or, as RFC 9112 lets a server accept, a lone LF.
     */
    static int end(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != '\n') continue;
            if (i + 1 < to && b[i + 1] == '\n') return i + 2;
            if (i + 2 < to && b[i + 1] == '\r' && b[i + 2] == '\n') return i + 3;
        }
        return -1;
    }

    /** Parses the head in {@code b[from, end)} ({@code end} from {@link #end}); false with {@link #status} set when refused. */
    boolean parse(byte[] b, int from, int end) {
        method = OTHER;
        contentLength = -1;
        chunked = close = expectContinue = http11 = false;
        typeStart = typeEnd = -1;
        status = 0;
        error = null;
        int i = from;
        while (i < end && (b[i] == '\r' || b[i] == '\n')) i++; // empty lines before a request line are ignored (RFC 9112 2.2)
        int lineEnd = lineEnd(b, i, end);
        // request-line = method SP request-target SP HTTP-version
        int sp1 = indexOf(b, i, lineEnd, (byte) ' ');
        if (sp1 <= i) return refuse(400, "the request line is not 'METHOD target HTTP/1.1'");
        for (int k = i; k < sp1; k++) if (!token(b[k])) return refuse(400, "the method is not a token");
        method = is(b, i, sp1, "GET") ? GET : is(b, i, sp1, "POST") ? POST : is(b, i, sp1, "HEAD") ? HEAD : OTHER;
        methodStart = i;
        methodEnd = sp1;
        int sp2 = indexOf(b, sp1 + 1, lineEnd, (byte) ' ');
        if (sp2 <= sp1 + 1 || indexOf(b, sp2 + 1, lineEnd, (byte) ' ') >= 0) return refuse(400, "the request line is not 'METHOD target HTTP/1.1'");
        if (!target(b, sp1 + 1, sp2)) return false;
        int v = trimEnd(b, sp2 + 1, lineEnd);
        if (is(b, sp2 + 1, v, "HTTP/1.1")) {
            http11 = true;
        } else if (!is(b, sp2 + 1, v, "HTTP/1.0")) {
            return v - sp2 - 1 == 8 && is(b, sp2 + 1, sp2 + 6, "HTTP/") ? refuse(505, "only HTTP/1.1 and HTTP/1.0 are served")
                    : refuse(400, "the request line does not end in HTTP/1.1");
        }
        close = !http11;
        boolean host = false, length = false;
        for (i = next(b, lineEnd, end); i < end; i = next(b, lineEnd, end)) {
            lineEnd = lineEnd(b, i, end);
            int valueEnd = trimEnd(b, i, lineEnd);
            if (valueEnd == i) break; // the empty line
            if (b[i] == ' ' || b[i] == '\t') return refuse(400, "obsolete line folding in a header");
            int colon = indexOf(b, i, valueEnd, (byte) ':');
            if (colon <= i) return refuse(400, "a header line without 'name:'");
            for (int k = i; k < colon; k++) if (!token(b[k])) return refuse(400, "a header name holds a character that is not allowed (no space before ':')");
            int vs = colon + 1;
            while (vs < valueEnd && (b[vs] == ' ' || b[vs] == '\t')) vs++;
            for (int k = vs; k < valueEnd; k++) {
                if ((b[k] >= 0 && b[k] < 0x20 && b[k] != '\t') || b[k] == 0x7f) return refuse(400, "a control character in a header value");
            }
            if (name(b, i, colon, "host")) {
                if (host) return refuse(400, "two Host headers");
                host = true;
            } else if (name(b, i, colon, "content-length")) {
                long n = digits(b, vs, valueEnd);
                if (n == -1) return refuse(400, "Content-Length is not a number");
                if (length && n != contentLength) return refuse(400, "two different Content-Length values");
                length = true;
                contentLength = n;
            } else if (name(b, i, colon, "transfer-encoding")) {
                if (!iequals(b, vs, valueEnd, "chunked")) return refuse(501, "only the chunked Transfer-Encoding is supported");
                chunked = true;
            } else if (name(b, i, colon, "content-type")) {
                typeStart = vs;
                typeEnd = valueEnd;
            } else if (name(b, i, colon, "connection")) {
                if (contains(b, vs, valueEnd, "close")) close = true;
                else if (contains(b, vs, valueEnd, "keep-alive")) close = false;
            } else if (name(b, i, colon, "expect")) {
                if (!iequals(b, vs, valueEnd, "100-continue")) return refuse(417, "only 'Expect: 100-continue' is understood");
                expectContinue = true;
            }
        }
        if (http11 && !host) return refuse(400, "an HTTP/1.1 request without a Host header");
        if (chunked && length) return refuse(400, "both Content-Length and Transfer-Encoding: chunked");
        if (contentLength == -2) contentLength = Long.MAX_VALUE; // more digits than a long: over any limit
        return true;
    }

    /** The path of an origin-form target ({@code /p?q}) or an absolute-form one ({@code http://host/p?q}). */
    private boolean target(byte[] b, int from, int to) {
        int p = from;
        if (b[p] != '/') {
            if (!(istarts(b, p, to, "http://") || istarts(b, p, to, "https://"))) {
                return refuse(400, "the request target is not a path ('/...')");
            }
            p = indexOf(b, p + 8, to, (byte) '/');
            if (p < 0) p = to; // http://host alone: the path is empty, routed as "/"
        }
        pathStart = p;
        int q = indexOf(b, p, to, (byte) '?');
        pathEnd = q < 0 ? to : q;
        int hash = indexOf(b, p, pathEnd, (byte) '#');
        if (hash >= 0) pathEnd = hash;
        return true;
    }

    private boolean refuse(int status, String error) {
        this.status = status;
        this.error = error;
        return false;
    }

    /** The media type of the Content-Type (before any ';'), lower case compared: is it {@code type}? */
    boolean typeIs(byte[] b, String type) {
        return typeStart >= 0 && iequals(b, typeStart, mediaEnd(b), type);
    }

    /** True when the Content-Type's media type starts with {@code prefix} (ASCII, case-insensitive). */
    boolean typeStarts(byte[] b, String prefix) {
        return typeStart >= 0 && istarts(b, typeStart, mediaEnd(b), prefix);
    }

    /** True when the Content-Type's media type ends with {@code suffix}, e.g. "+json". */
    boolean typeEnds(byte[] b, String suffix) {
        int e = mediaEnd(b);
        return typeStart >= 0 && e - typeStart >= suffix.length() && iequals(b, e - suffix.length(), e, suffix);
    }

    private int mediaEnd(byte[] b) {
        int semi = indexOf(b, typeStart, typeEnd, (byte) ';');
        return trimEnd(b, typeStart, semi < 0 ? typeEnd : semi);
    }

    // ---------------------------------------------------------------- bytes

    private static int lineEnd(byte[] b, int from, int end) {
        int nl = indexOf(b, from, end, (byte) '\n');
        return nl < 0 ? end : nl;
    }

    private static int next(byte[] b, int lineEnd, int end) {
        return Math.min(end, lineEnd + 1);
    }

    private static int trimEnd(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == '\r' || b[to - 1] == ' ' || b[to - 1] == '\t')) to--;
        return to;
    }

    static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    /** Decimal digits to a long; -1 when empty or not digits, -2 when too long for a long. */
    private static long digits(byte[] b, int from, int to) {
        if (from == to) return -1;
        long n = 0;
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') return -1;
            if (n > (Long.MAX_VALUE - 9) / 10) return -2;
            n = n * 10 + (b[i] - '0');
        }
        return n;
    }

    private static boolean token(byte c) {
        return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    static boolean is(byte[] b, int from, int to, String s) {
        if (to - from != s.length()) return false;
        for (int i = 0; i < s.length(); i++) if (b[from + i] != s.charAt(i)) return false;
        return true;
    }

    private static boolean name(byte[] b, int from, int to, String lower) {
        return iequals(b, from, to, lower);
    }

    /** ASCII case-insensitive equality with a lower-case {@code s}. */
    static boolean iequals(byte[] b, int from, int to, String s) {
        return to - from == s.length() && istarts(b, from, to, s);
    }

    static boolean istarts(byte[] b, int from, int to, String s) {
        if (to - from < s.length()) return false;
        for (int i = 0; i < s.length(); i++) {
            int c = b[from + i];
            if (c >= 'A' && c <= 'Z') c += 32;
            if (c != s.charAt(i)) return false;
        }
        return true;
    }

    /** Whether the comma-separated list in b[from, to) holds the token {@code lower} (case-insensitive). */
    private static boolean contains(byte[] b, int from, int to, String lower) {
        int i = from;
        while (i < to) {
            int comma = indexOf(b, i, to, (byte) ',');
            int e = comma < 0 ? to : comma;
            int s = i;
            while (s < e && (b[s] == ' ' || b[s] == '\t')) s++;
            if (iequals(b, s, trimEnd(b, s, e), lower)) return true;
            i = e + 1;
        }
        return false;
    }
}
