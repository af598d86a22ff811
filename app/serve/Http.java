package app.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP plumbing of nabla's pages served on the JDK's {@code com.sun.net.httpserver} (nabla
 * clean's): the JDK server's timeouts, a bounded request body, replies, and handlers whose refusals
 * ({@link HttpError}) become a status and a JSON {@code {"error": ...}} while the server goes on
 * serving. {@code nabla serve} has its own server ({@link Server}, docs/serving.md says why).
 */
public final class Http {
    private Http() {}

    /** A route: answers the exchange, or throws the refusal. */
    @FunctionalInterface
    public interface Route {
        void answer(HttpExchange ex) throws IOException, HttpError;
    }

    /**
     * Cuts a request whose headers and body are not in within {@code requestTimeoutSeconds} (the JDK
     * server reads these once, when the first server of the JVM starts), and sends headers and body
     * without waiting for the client's delayed ACK (Nagle, 40 ms).
     */
    public static void configure(int requestTimeoutSeconds) {
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(requestTimeoutSeconds));
        System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(requestTimeoutSeconds));
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** A handler that runs {@code route}: a refusal is answered as JSON, a bug as a 500 with its one line. */
    public static HttpHandler handler(Route route) {
        return ex -> {
            try {
                route.answer(ex);
            } catch (HttpError e) {
                reply(ex, e.status, error(e.getMessage()));
            } catch (IOException e) {
                ex.close(); // the client went away or sent a broken body: nobody to answer
            } catch (RuntimeException e) {
                reply(ex, 500, error("internal error: " + e));
            }
        };
    }

    /** Answers with JSON unless the headers went out already or the client is gone. */
    static void reply(HttpExchange ex, int status, String json) {
        try {
            sendJson(ex, status, json);
        } catch (IOException | RuntimeException ignored) {
            ex.close();
        }
    }

    /**
     * The request body, at most {@code max} bytes: a declared Content-Length over the limit is
     * refused before a byte is read; a chunked body is read only until it passes the limit.
     * {@code limitName} says what sets the limit, e.g. " (--max-body-bytes)".
     */
    public static byte[] body(HttpExchange ex, long max, String limitName) throws IOException, HttpError {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        InputStream in = ex.getRequestBody();
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Content-Length '" + declared + "' is not a number");
            }
            if (n > max) throw new HttpError(413, "the body is " + n + " bytes, more than the limit of " + max + limitName);
            byte[] b = in.readNBytes((int) n);
            if (b.length < n) throw new HttpError(400, "the body ended after " + b.length + " of " + n + " bytes");
            return b;
        }
        byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        if (b.length > max) throw new HttpError(413, "the body is more than the limit of " + max + " bytes" + limitName);
        return b;
    }

    public static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    public static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json);
    }

    /** {@code {"error": message}}. */
    public static String error(String message) {
        return JsonOut.error(message);
    }

    /** Refuses any method but GET with 405 (and an Allow header). */
    public static void requireGet(HttpExchange ex) throws HttpError {
        require(ex, "GET");
    }

    /** Refuses any method but POST with 405 (and an Allow header). */
    public static void requirePost(HttpExchange ex) throws HttpError {
        require(ex, "POST");
    }

    private static void require(HttpExchange ex, String method) throws HttpError {
        if (!ex.getRequestMethod().equals(method)) {
            ex.getResponseHeaders().set("Allow", method);
            throw new HttpError(405, "method " + ex.getRequestMethod() + " is not allowed here; use " + method);
        }
    }
}
