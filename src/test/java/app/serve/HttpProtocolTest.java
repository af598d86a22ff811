package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.Main;
import app.train.SavedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's HTTP/1.1 over raw sockets, where java.net.http.HttpClient cannot go: pipelining,
 * chunked bodies, Expect: 100-continue, HTTP/1.0, malformed heads, the connection limit and the
 * per-server request timeout.
 */
class HttpProtocolTest {
    @TempDir
    static Path dir;
    static SavedModel model;
    static Server server;
    static String body;
    static String answer; // the answer to body

    @BeforeAll
    static void start() throws Exception {
        startIn(dir);
    }

    /** Trains a digits model in {@code dir} and starts {@link #server} on it. */
    static void startIn(Path dir) throws Exception {
        Path ck = dir.resolve("model.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"train", "--epochs", "1", "--checkpoint", ck.toString(), "--out", dir.toString()}, p, p), log::toString);
        model = SavedModel.load(ck);
        server = start(1024, 2, 4096);
        body = "{\"inputs\":[[" + "0.5,".repeat(63) + "1]]}";
        try (Socket s = socket(server)) {
            Reply r = exchange(s, post(body));
            assertEquals(200, r.status, r.body);
            answer = r.body;
        }
    }

    static Server start(int maxConnections, int timeoutSeconds, int maxBody) throws Exception {
        Server s = new Server(new Server.Config("127.0.0.1", 0, 2, 32, 2_000_000, maxBody, 64, timeoutSeconds, 1, maxConnections),
                Map.of("digits", model), Map.of("digits", "model.safetensors"));
        s.start();
        return s;
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(5);
    }

    static String post(String json) {
        return "POST /predictions/digits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket s = socket(server)) {
            send(s, post(body) + "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n" + post(body));
            InputStream in = s.getInputStream();
            assertEquals(answer, read(in).body);
            assertEquals("{\"status\":\"Healthy\"}", read(in).body);
            assertEquals(answer, read(in).body);
        }
    }

    @Test
    void aChunkedBodyIsTheSameRequest() throws Exception {
        StringBuilder chunked = new StringBuilder("POST /predictions/digits HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < body.length(); i += 50) {
            String part = body.substring(i, Math.min(body.length(), i + 50));
            chunked.append(Integer.toHexString(part.length())).append(i == 0 ? ";ext=1" : "").append("\r\n").append(part).append("\r\n");
        }
        chunked.append("0\r\nTrailer-Field: x\r\n\r\n");
        try (Socket s = socket(server)) {
            Reply r = exchange(s, chunked.toString());
            assertEquals(200, r.status, r.body);
            assertEquals(answer, r.body);
            assertEquals(answer, exchange(s, post(body)).body, "the connection goes on after a chunked body");
        }
        Server small = start(16, 2, 1000);
        try (Socket s = socket(small)) {
            String big = "POST /predictions/digits HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + "400\r\n" + "1".repeat(1024) + "\r\n0\r\n\r\n";
            Reply r = exchange(s, big);
            assertEquals(413, r.status, r.body);
            assertTrue(r.body.contains("--max-body-bytes"), r.body);
        } finally {
            small.stop(1);
        }
    }

    @Test
    void expectContinueGetsA100First() throws Exception {
        try (Socket s = socket(server)) {
            String head = post(body);
            int split = head.indexOf("\r\n\r\n") + 4;
            send(s, head.substring(0, split - 2) + "Expect: 100-continue\r\n\r\n");
            InputStream in = s.getInputStream();
            assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(in.readNBytes(25), StandardCharsets.US_ASCII));
            send(s, head.substring(split));
            assertEquals(answer, read(in).body);
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        try (Socket s = socket(server)) {
            Reply r = exchange(s, "GET /ping HTTP/1.0\r\n\r\n");
            assertEquals(200, r.status);
            assertEquals("close", r.headers.get("connection"));
            assertEquals(-1, s.getInputStream().read(), "closed after the answer");
        }
        try (Socket s = socket(server)) {
            Reply r = exchange(s, "GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals("keep-alive", r.headers.get("connection"));
            assertEquals(200, exchange(s, "GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").status);
        }
    }

    @Test
    void malformedHeadsAreRefusedWithAReason() throws Exception {
        assertRefused(400, "request line", "GARBAGE\r\n\r\n");
        assertRefused(400, "Host", "GET /ping HTTP/1.1\r\n\r\n");
        assertRefused(505, "HTTP/1.1", "GET /ping HTTP/2.0\r\nHost: x\r\n\r\n");
        assertRefused(501, "chunked", "POST /predictions/digits HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertRefused(400, "both", "POST /predictions/digits HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertRefused(400, "Content-Length", "POST /predictions/digits HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n");
        assertRefused(431, "16 KiB", "GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(17_000) + "\r\n\r\n");
        assertRefused(417, "100-continue", "GET /ping HTTP/1.1\r\nHost: x\r\nExpect: something\r\n\r\n");
    }

    private static void assertRefused(int status, String part, String request) throws Exception {
        try (Socket s = socket(server)) {
            Reply r = exchange(s, request);
            assertEquals(status, r.status, r.body);
            assertTrue(r.body.startsWith("{\"error\":") && r.body.contains(part), r.body);
            assertEquals("close", r.headers.get("connection"), "what follows a refused head cannot be framed");
        }
    }

    @Test
    void connectionsPastTheLimitGet503() throws Exception {
        Server s = start(2, 5, 4096);
        try (Socket a = socket(s); Socket b = socket(s)) {
            assertEquals(200, exchange(a, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").status);
            assertEquals(200, exchange(b, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").status);
            try (Socket c = socket(s)) {
                Reply r = read(c.getInputStream());
                assertEquals(503, r.status, r.body);
                assertEquals("1", r.headers.get("retry-after"));
                assertTrue(r.body.contains("--max-connections"), r.body);
            }
            a.close();
            long t0 = System.nanoTime();
            while (true) { // the server notices the close on its next turn
                try (Socket c = socket(s)) {
                    if (exchange(c, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").status == 200) break;
                }
                assertTrue(System.nanoTime() - t0 < 5e9, "a slot was not freed by a close");
                Thread.sleep(20);
            }
        } finally {
            s.stop(1);
        }
    }

    @Test
    void bodiesBeyondTheMemoryBudgetGet503() throws Exception {
        StringBuilder rows = new StringBuilder("{\"inputs\":[");
        String row = "[" + "0.5,".repeat(63) + "1]";
        for (int r = 0; r < 2_300; r++) rows.append(r == 0 ? "" : ",").append(row);
        String big = rows.append("]}").toString(); // ~600 KB: held as ~1.8 MB of the budget
        Server s = new Server(new Server.Config("127.0.0.1", 0, 2, 32, 2_000_000, 1 << 20, 64, 10, 1, 16),
                Map.of("digits", model), Map.of("digits", "model.safetensors"), 2 << 20);
        s.start();
        try (Socket a = socket(s); Socket b = socket(s)) {
            String request = post(big);
            int half = request.length() / 2;
            send(a, request.substring(0, half));
            long t0 = System.nanoTime();
            while (s.memory.used() == 0) { // a's body is being received
                assertTrue(System.nanoTime() - t0 < 10e9, "the server did not take the first body");
                Thread.sleep(5);
            }
            Reply refused = exchange(b, request.substring(0, request.indexOf("\r\n\r\n") + 4));
            assertEquals(503, refused.status, refused.body);
            assertEquals("1", refused.headers.get("retry-after"));
            assertTrue(refused.body.contains("memory"), refused.body);
            send(a, request.substring(half));
            Reply r = read(a.getInputStream());
            assertEquals(200, r.status, r.body);
            assertTrue(r.body.startsWith("{\"predictions\":[") && r.body.length() > 2_300 * 100, "2,300 predictions");
            for (long t1 = System.nanoTime(); s.memory.used() != 0; Thread.sleep(5)) { // released right after the last byte is written
                assertTrue(System.nanoTime() - t1 < 5e9, "the body's bytes were not released once it was answered: " + s.memory.used());
            }
            try (Socket c = socket(s)) {
                assertEquals(200, exchange(c, request).status, "and the next large body is taken");
            }
        } finally {
            s.stop(1);
        }
    }

    @Test
    void eachServerCutsSlowRequestsAtItsOwnTimeout() throws Exception {
        Server fast = start(16, 1, 4096);
        Server slow = start(16, 3, 4096);
        try (Socket f = socket(fast); Socket s = socket(slow)) {
            String partial = post(body).substring(0, 120); // the head and a little of the body
            long t0 = System.nanoTime();
            send(f, partial);
            send(s, partial);
            Reply r = read(f.getInputStream());
            double fastSeconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(408, r.status, r.body);
            assertTrue(r.body.contains("--request-timeout-s"), r.body);
            assertTrue(fastSeconds >= 0.9 && fastSeconds < 2.5, "cut after " + fastSeconds + " s, not ~1 s");
            s.setSoTimeout(10_000);
            assertEquals(408, read(s.getInputStream()).status);
            double slowSeconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(slowSeconds >= 2.9 && slowSeconds < 4.5, "cut after " + slowSeconds + " s, not ~3 s: the timeout is per server");
        } finally {
            fast.stop(1);
            slow.stop(1);
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheTimeout() throws Exception {
        Server s = start(16, 1, 4096);
        try (Socket c = socket(s)) {
            assertEquals(200, exchange(c, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n").status);
            long t0 = System.nanoTime();
            assertEquals(-1, c.getInputStream().read());
            assertTrue((System.nanoTime() - t0) / 1e9 < 2.5);
        } finally {
            s.stop(1);
        }
    }

    // ---------------------------------------------------------------- a minimal client

    record Reply(int status, Map<String, String> headers, String body) {}

    static Socket socket(Server s) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static Reply exchange(Socket s, String request) throws IOException {
        send(s, request);
        return read(s.getInputStream());
    }

    /** One answer: status line, headers (names in lower case), a Content-Length body. */
    static Reply read(InputStream in) throws IOException {
        String status = line(in);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String l; !(l = line(in)).isEmpty(); ) {
            int colon = l.indexOf(':');
            headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        int n = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        String body = new String(in.readNBytes(n), StandardCharsets.UTF_8);
        return new Reply(Integer.parseInt(status.split(" ")[1]), headers, body);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("the connection ended in a head: '" + sb + "'");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }
}
