package app.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.Main;
import app.train.Evaluator;
import app.train.SavedModel;
import data.Dataset;
import data.Digits;
import data.ImageFolder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;
import tensor.io.Json;

/** A real server on an ephemeral loopback port, asked by java.net.http.HttpClient as a client would. */
class ServerTest {
    @TempDir
    static Path dir;
    static SavedModel model;
    static Server server;
    static HttpClient client;
    static Dataset test;
    static Tensor expected; // Network.predict's class probabilities of every test row, in one batch

    @BeforeAll
    static void start() throws Exception {
        Path ck = dir.resolve("model.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"train", "--epochs", "2", "--checkpoint", ck.toString(), "--out", dir.toString()}, p, p), log::toString);
        model = SavedModel.load(ck);
        server = start(model, 1024, 32);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        test = Digits.split().test();
        Tensor x = test.features().copy();
        for (int r = 0; r < x.dim(0); r++) model.normalization().apply(x.data(), r * x.dim(1));
        expected = Evaluator.probabilities(model.spec(), model.network(), x);
    }

    static Server start(SavedModel m, int queue, int maxBatch) throws Exception {
        // a 2 s request timeout; two I/O threads, so that connections are also dealt to a loop that does not accept
        Server s = new Server(new Server.Config("127.0.0.1", 0, 4, maxBatch, 2_000_000, 1 << 20, queue, 2, 2, 1024),
                Map.of("digits", m), Map.of("digits", "model.safetensors"));
        s.start();
        return s;
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop(5);
    }

    static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(Server s, String path, String type, byte[] body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(s.url() + path.substring(1))).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String json) throws Exception {
        return post(server, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) throws Exception {
        return (Map<String, Object>) Json.parse(r.body());
    }

    static String row(int r) {
        StringBuilder sb = new StringBuilder("[");
        for (int j = 0; j < test.dim(); j++) sb.append(j == 0 ? "" : ",").append(test.features().get(r, j));
        return sb.append(']').toString();
    }

    static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue();
        return f;
    }

    static float[] expectedRow(int r) {
        float[] f = new float[expected.dim(1)];
        for (int c = 0; c < f.length; c++) f[c] = expected.get(r, c);
        return f;
    }

    @Test
    void healthEndpoints() throws Exception {
        assertEquals("{\"status\":\"Healthy\"}", get("/ping").body());
        assertEquals(200, get("/v2/health/live").statusCode());
        assertEquals(200, get("/v2/health/ready").statusCode());
        assertEquals(200, get("/v2/models/digits/ready").statusCode());
        assertEquals(true, json(get("/v2/models/digits/ready")).get("ready"));
        assertEquals("nabla", json(get("/v2")).get("name"));
        assertEquals("application/json", get("/ping").headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void modelMetadataFollowsTheProtocol() throws Exception {
        HttpResponse<String> r = get("/v2/models/digits");
        assertEquals(200, r.statusCode());
        Map<String, Object> m = json(r);
        assertEquals("digits", m.get("name"));
        assertEquals(List.of("1"), m.get("versions"));
        assertTrue(m.get("platform") instanceof String);
        Map<?, ?> in = (Map<?, ?>) ((List<?>) m.get("inputs")).get(0);
        assertEquals("input", in.get("name"));
        assertEquals("FP32", in.get("datatype"));
        assertEquals(List.of(-1L, 64L), in.get("shape"));
        Map<?, ?> out = (Map<?, ?>) ((List<?>) m.get("outputs")).get(0);
        assertEquals("probabilities", out.get("name"));
        assertEquals("FP32", out.get("datatype"));
        assertEquals(List.of(-1L, 10L), out.get("shape"));
        Map<?, ?> params = (Map<?, ?>) m.get("parameters");
        assertEquals(model.classes(), params.get("classes"));
        assertEquals("1x8x8", params.get("image_shape"));
        assertEquals(200, get("/v2/models/digits/versions/1").statusCode());
        assertEquals(404, get("/v2/models/digits/versions/7").statusCode());
    }

    @Test
    void v2InferAnswersFieldByField() throws Exception {
        String flat = row(0).substring(1, row(0).length() - 1) + "," + row(1).substring(1, row(1).length() - 1);
        HttpResponse<String> r = post("/v2/models/digits/infer",
                "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"input\",\"shape\":[2,64],\"datatype\":\"FP32\",\"data\":[" + flat + "]}]}");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> m = json(r);
        assertEquals("digits", m.get("model_name"));
        assertEquals("req-7", m.get("id"));
        List<?> outs = (List<?>) m.get("outputs");
        assertEquals(1, outs.size());
        Map<?, ?> o = (Map<?, ?>) outs.get(0);
        assertEquals("probabilities", o.get("name"));
        assertEquals(List.of(2L, 10L), o.get("shape"));
        assertEquals("FP32", o.get("datatype"));
        float[] data = floats(o.get("data"));
        float[] both = new float[20];
        System.arraycopy(expectedRow(0), 0, both, 0, 10);
        System.arraycopy(expectedRow(1), 0, both, 10, 10);
        assertArrayEquals(both, data);
        // nested data in row-major order is the same request; no id gives no id
        HttpResponse<String> nested = post("/v2/models/digits/infer",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,64],\"datatype\":\"FP32\",\"data\":[" + row(0) + "," + row(1) + "]}],"
                        + "\"outputs\":[{\"name\":\"probabilities\"}]}");
        assertEquals(200, nested.statusCode(), nested.body());
        assertNull(json(nested).get("id"));
        assertArrayEquals(both, floats(((Map<?, ?>) ((List<?>) json(nested).get("outputs")).get(0)).get("data")));
    }

    @Test
    void torchServePredictions() throws Exception {
        HttpResponse<String> r = post("/predictions/digits", "{\"inputs\":[" + row(3) + "," + row(4) + "]}");
        assertEquals(200, r.statusCode(), r.body());
        List<?> preds = (List<?>) json(r).get("predictions");
        assertEquals(2, preds.size());
        for (int i = 0; i < 2; i++) {
            Map<?, ?> p = (Map<?, ?>) preds.get(i);
            float[] want = expectedRow(3 + i);
            assertArrayEquals(want, floats(p.get("probabilities")));
            int best = 0;
            for (int c = 1; c < want.length; c++) if (want[c] > want[best]) best = c;
            assertEquals((long) best, p.get("class"));
            assertEquals(model.classes().get(best), p.get("label"));
        }
    }

    @Test
    void anImageIsPreparedAsTrainingPreparedItsData() throws Exception {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(16, 4, 8, 32); // a "1"
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        HttpResponse<String> r = post(server, "/predictions/digits", "image/png", png.toByteArray());
        assertEquals(200, r.statusCode(), r.body());
        float[] x = new float[64 * 3];
        ImageFolder.toRow(png.toByteArray(), "test", model.imageShape().orElseThrow(), x, 0);
        model.normalization().apply(x, 0);
        Tensor want = Evaluator.probabilities(model.spec(), model.network(), Tensor.ofSlice(x, 0, 3, 64));
        float[] w = new float[10];
        for (int c = 0; c < 10; c++) w[c] = want.get(0, c);
        assertArrayEquals(w, floats(((Map<?, ?>) ((List<?>) json(r).get("predictions")).get(0)).get("probabilities")));
        HttpResponse<String> bad = post(server, "/predictions/digits", "image/png", "not a png".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, bad.statusCode());
        assertTrue(json(bad).get("error").toString().contains("cannot decode"), bad.body());
    }

    @Test
    void badRequestsNameTheProblem() throws Exception {
        String v2 = "/v2/models/digits/infer";
        assertError(400, "character 12", post(v2, "{\"inputs\": [}"));
        assertError(400, "[1, 63]", post(v2, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,63],\"datatype\":\"FP32\",\"data\":" + "[" + "0,".repeat(62) + "0]}]}"));
        assertError(400, "[-1, 64]", post(v2, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,63],\"datatype\":\"FP32\",\"data\":[0]}]}"));
        assertError(400, "FP64", post(v2, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,64],\"datatype\":\"FP64\",\"data\":" + row(0) + "}]}"));
        assertError(400, "holds 2 values", post(v2, "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,64],\"datatype\":\"FP32\",\"data\":[1,2]}]}"));
        assertError(400, "NaN", post("/predictions/digits", "{\"inputs\":[[NaN" + ",0".repeat(63) + "]]}"));
        assertError(400, "float32", post("/predictions/digits", "{\"inputs\":[[1e39" + ",0".repeat(63) + "]]}"));
        assertError(400, "has 3 values but the model takes 64", post("/predictions/digits", "{\"inputs\":[[1,2,3]]}"));
        assertError(404, "unknown model \"nope\"", post("/predictions/nope", "{}"));
        assertError(404, "unknown model", get("/v2/models/nope"));
        HttpResponse<String> m = get("/predictions/digits");
        assertError(405, "use POST", m);
        assertEquals("POST", m.headers().firstValue("Allow").orElse(""));
        assertError(405, "use GET", post("/ping", "{}"));
        // and the server still serves
        assertEquals(200, post("/predictions/digits", "{\"inputs\":[" + row(0) + "]}").statusCode());
    }

    @Test
    void aBodyOfAnotherMediaTypeGets415() throws Exception {
        byte[] row = ("{\"inputs\":[" + row(0) + "]}").getBytes(StandardCharsets.UTF_8);
        assertError(415, "application/octet-stream", post(server, "/predictions/digits", "application/octet-stream", row));
        assertError(415, "image/png", post(server, "/predictions/digits", "text/csv", row));
        assertError(415, "binary tensor extension", post(server, "/v2/models/digits/infer", "application/octet-stream", row));
        // what clients send JSON as is taken: curl -d's form type, hey's text/html, a +json type, charset parameters
        for (String type : new String[] {"application/x-www-form-urlencoded", "text/html", "application/vnd.api+json", "application/json; charset=utf-8"}) {
            HttpResponse<String> ok = post(server, "/predictions/digits", type, row);
            assertEquals(200, ok.statusCode(), type + ": " + ok.body());
        }
        // and a model that was not trained on images says so for an image
        SavedModel noImages = new SavedModel(model.checkpoint(), model.config(), model.spec(), model.network(), model.loss(), model.normalization(),
                model.classes(), java.util.Optional.empty());
        Server s = new Server(new Server.Config("127.0.0.1", 0, 2, 32, 2_000_000, 1 << 20, 64, 2), Map.of("rows", noImages), Map.of());
        s.start();
        try {
            assertError(415, "not trained on images", post(s, "/predictions/rows", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
        } finally {
            s.stop(1);
        }
    }

    static void assertError(int status, String part, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        Object e = json(r).get("error");
        assertNotNull(e, r.body());
        assertTrue(e.toString().contains(part), "'" + e + "' should contain '" + part + "'");
    }

    @Test
    void aBodyOverTheLimitIsRefusedUnread() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // declares a gigabyte and sends a few bytes: the answer must come without the rest
            out.write(("POST /predictions/digits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{\"inputs\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", head);
        }
    }

    @Test
    void aClientThatNeverFinishesIsCut() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write("POST /predictions/digits HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"in".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            long t0 = System.nanoTime();
            InputStream in = s.getInputStream();
            try {
                while (in.read() >= 0) { } // the server answers (the body broke off) or closes; either way it lets go
            } catch (java.net.SocketException reset) {
                // closed by the server
            }
            assertTrue(System.nanoTime() - t0 < 14e9, "the server held the connection for the whole socket timeout");
        }
        assertEquals(200, get("/ping").statusCode());
    }

    @Test
    void metricsAndPage() throws Exception {
        post("/predictions/digits", "{\"inputs\":[" + row(0) + "]}");
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String t = r.body();
        for (String s : new String[] {"nabla_requests_total{endpoint=\"predictions\",code=\"200\"}", "nabla_request_duration_seconds_bucket{le=\"+Inf\"}",
                "nabla_batch_rows_bucket{model=\"digits\",le=\"32\"}", "nabla_queue_depth{model=\"digits\"}", "nabla_rows_inferred_total{model=\"digits\"}"}) {
            assertTrue(t.contains(s), s + " missing from\n" + t);
        }
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<canvas"));
        Map<String, Object> list = json(get("/models"));
        assertEquals("digits", ((Map<?, ?>) ((List<?>) list.get("models")).get(0)).get("modelName"));
    }

    @Test
    void concurrentRequestsAreBatchedAndEachAnswerIsNetworkPredictForItsRow() throws Exception {
        int clients = 64;
        int requests = 10_000;
        long batchesBefore = server.models().get("digits").batcher().batchRows.count();
        long rowsBefore = server.models().get("digits").batcher().rowsInferred.sum();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        String[] bodies = new String[test.size()];
        for (int r = 0; r < bodies.length; r++) bodies[r] = "{\"inputs\":[" + row(r) + "]}";
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < requests; ) {
                    int r = i % test.size();
                    HttpResponse<String> resp = post("/predictions/digits", bodies[r]);
                    if (resp.statusCode() != 200) throw new AssertionError(resp.statusCode() + " " + resp.body());
                    float[] got = floats(((Map<?, ?>) ((List<?>) json(resp).get("predictions")).get(0)).get("probabilities"));
                    if (!java.util.Arrays.equals(expectedRow(r), got)) wrong.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
        assertEquals(0, wrong.get(), "answers that differ from Network.predict of their row");
        Batcher b = server.models().get("digits").batcher();
        long rows = b.rowsInferred.sum() - rowsBefore;
        long batches = b.batchRows.count() - batchesBefore;
        assertEquals(requests, rows, "every request's row ran once");
        assertTrue(batches < requests, "no batching happened: " + batches + " batches for " + requests + " requests");
        System.out.printf("ServerTest: %d requests from %d clients ran in %d batches (%.1f rows per batch)%n", requests, clients, batches, (double) rows / batches);
    }

    @Test
    void aRowAloneAndInABatchGetTheSameBits() throws Exception {
        // one row through a single-row request (padded to the blocked GEMM) equals the row inside a batch of 359
        for (int r : new int[] {0, 17, 358}) {
            HttpResponse<String> resp = post("/predictions/digits", "{\"inputs\":[" + row(r) + "]}");
            assertArrayEquals(expectedRow(r), floats(((Map<?, ?>) ((List<?>) json(resp).get("predictions")).get(0)).get("probabilities")));
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        Server s = start(model, 1, 1);
        Batcher b = s.models().get("digits").batcher();
        CountDownLatch hold = new CountDownLatch(1);
        b.hold = hold;
        try {
            byte[] body = ("{\"inputs\":[" + row(0) + "]}").getBytes(StandardCharsets.UTF_8);
            List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            // the first is taken by the held batcher, the second fills the queue of 1
            for (int i = 0; i < 2; i++) {
                inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create(s.url() + "predictions/digits")).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString()));
                long t0 = System.nanoTime();
                while (i == 0 ? !b.holding : b.depth() < 1) {
                    if (System.nanoTime() - t0 > 10e9) throw new AssertionError("the request did not reach the queue");
                    Thread.sleep(5);
                }
            }
            HttpResponse<String> refused = post(s, "/predictions/digits", "application/json", body);
            assertError(503, "queued", refused);
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
            hold.countDown();
            for (var f : inFlight) assertEquals(200, f.get().statusCode());
        } finally {
            hold.countDown();
            s.stop(5);
        }
    }

    @Test
    void stopFinishesTheRequestsInFlight() throws Exception {
        Server s = start(model, 64, 32);
        Batcher b = s.models().get("digits").batcher();
        CountDownLatch hold = new CountDownLatch(1);
        b.hold = hold;
        byte[] body = ("{\"inputs\":[" + row(5) + "]}").getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create(s.url() + "predictions/digits")).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        long t0 = System.nanoTime();
        while (s.inFlight.get() < 5) {
            if (System.nanoTime() - t0 > 10e9) throw new AssertionError("the requests did not arrive");
            Thread.sleep(5);
        }
        Thread stopper = new Thread(() -> {
            try {
                s.stop(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        stopper.start();
        while (s.ready()) Thread.sleep(5);
        assertFalse(s.ready());
        hold.countDown();
        for (var f : inFlight) {
            HttpResponse<String> r = f.get();
            assertEquals(200, r.statusCode(), r.body());
            assertArrayEquals(expectedRow(5), floats(((Map<?, ?>) ((List<?>) json(r).get("predictions")).get(0)).get("probabilities")));
        }
        stopper.join(15_000);
        assertFalse(stopper.isAlive(), "stop did not return");
    }
}
