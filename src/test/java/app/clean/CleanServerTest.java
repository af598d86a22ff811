package app.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import data.Dataset;
import data.Digits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.Json;

/** The clean page's JSON API on an ephemeral loopback port, asked by java.net.http.HttpClient as the page does. */
class CleanServerTest {
    @TempDir
    static Path dir;
    static Dataset.Split digits;
    static Path overrides;
    static CleanServer server;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        digits = Digits.split();
        overrides = dir.resolve("label-overrides.csv");
        // a 2 s request timeout, as every server test of this JVM sets (the JDK reads it once)
        server = new CleanServer("127.0.0.1", 0, 2);
        server.start(Reviews.of("digits", digits, overrides));
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1))).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) throws Exception {
        return (Map<String, Object>) Json.parse(r.body());
    }

    @Test
    void theSummaryNamesTheDataItsSplitsAndTheFile() throws Exception {
        HttpResponse<String> r = get("/api/summary");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        Map<String, Object> s = json(r);
        assertEquals("digits", s.get("data"));
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), s.get("classes"));
        assertEquals(Boolean.TRUE, s.get("images"));
        assertEquals(overrides.toString(), s.get("overrides"));
        Map<?, ?> train = (Map<?, ?>) ((List<?>) s.get("splits")).get(0);
        assertEquals("digits/train", train.get("dataset"));
        assertEquals(1438L, train.get("size"));
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("nabla clean") && page.body().contains("/api/issues"), "the page");
    }

    @Test
    void issuesComeInPagesInRankOrderAndFilterBySplitClassAndStatus() throws Exception {
        Map<String, Object> all = json(get("/api/issues?size=10"));
        assertEquals(1438L + 359L, all.get("total"));
        assertEquals(180L, all.get("pages"));
        List<?> issues = (List<?>) all.get("issues");
        assertEquals(10, issues.size());
        double last = -1;
        for (Object o : issues) {
            double p = ((Number) ((Map<?, ?>) o).get("p_given")).doubleValue();
            assertTrue(p >= last, "least likely label first");
            last = p;
        }
        Map<?, ?> first = (Map<?, ?>) issues.get(0);
        for (String key : List.of("split", "index", "example", "rank", "given", "predicted", "p_predicted", "p_given", "suggested", "flagged", "decision")) {
            assertTrue(first.containsKey(key), key + " in " + first);
        }
        Map<String, Object> threes = json(get("/api/issues?split=test&class=3&size=500"));
        long testThrees = java.util.Arrays.stream(digits.test().labels()).filter(y -> y == 3).count();
        assertEquals(testThrees, threes.get("total"));
        for (Object o : (List<?>) threes.get("issues")) {
            assertEquals("3", ((Map<?, ?>) o).get("given"));
            assertEquals("test", ((Map<?, ?>) o).get("split"));
        }
        Map<String, Object> second = json(get("/api/issues?split=train&page=1&size=7"));
        assertEquals(8L, ((Map<?, ?>) ((List<?>) second.get("issues")).get(0)).get("rank"));
        Map<String, Object> fromOffset = json(get("/api/issues?split=train&offset=3&size=2"));
        assertEquals(4L, ((Map<?, ?>) ((List<?>) fromOffset.get("issues")).get(0)).get("rank"));
        assertEquals(3L, fromOffset.get("offset"));
    }

    @Test
    void aThumbnailIsTheExampleAsAPng() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(server.url() + "api/thumbnail?split=test&index=5")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(r.body()));
        assertEquals(8, img.getWidth());
        assertEquals(8, img.getHeight());
        // pixel (2, 3) is the row's value 3·8 + 2 as a gray byte
        float v = digits.test().features().data()[digits.test().features().offset() + 5 * 64 + 26];
        assertEquals(Math.round(Math.min(1f, v) * 255), img.getRGB(2, 3) & 0xff);
    }

    @Test
    void decisionsAreSavedToTheOverridesFileAndShownInTheList() throws Exception {
        int y = digits.test().labels()[11];
        String to = Integer.toString((y + 4) % 10);
        Map<String, Object> relabel = json(post("/api/decision", "{\"split\":\"test\",\"index\":11,\"action\":\"relabel\",\"label\":\"" + to + "\"}"));
        assertEquals(to, relabel.get("decision"));
        assertEquals("11", relabel.get("example"));
        Map<String, Object> deleted = json(post("/api/decision", "{\"split\":\"test\",\"index\":12,\"action\":\"delete\"}"));
        assertEquals("delete", deleted.get("decision"));
        List<String> lines = Files.readAllLines(overrides);
        assertTrue(lines.contains("digits/test,11," + y + "," + to), lines.toString());
        assertTrue(lines.contains("digits/test,12," + digits.test().labels()[12] + ",delete"), lines.toString());
        Map<String, Object> decided = json(get("/api/issues?split=test&status=decided&size=500"));
        List<Object> indexes = ((List<?>) decided.get("issues")).stream().map(o -> ((Map<?, ?>) o).get("index")).map(Object.class::cast).toList();
        assertTrue(indexes.contains(11L) && indexes.contains(12L), indexes.toString());
        for (Object o : (List<?>) json(get("/api/issues?split=test&status=todo&size=500")).get("issues")) {
            assertNull(((Map<?, ?>) o).get("decision"));
        }
        Map<String, Object> undone = json(post("/api/decision", "{\"split\":\"test\",\"index\":12,\"action\":\"undo\"}"));
        assertNull(undone.get("decision"));
        assertTrue(Files.readAllLines(overrides).stream().noneMatch(l -> l.startsWith("digits/test,12,")));
    }

    @Test
    void badRequestsGetAStatusAndAJsonErrorAndTheServerGoesOn() throws Exception {
        assertError(400, "unknown split 'val'", get("/api/issues?split=val"));
        assertError(400, "unknown class 'cat'", get("/api/issues?class=cat"));
        assertError(400, "status must be todo, decided or all", get("/api/issues?status=maybe"));
        assertError(400, "size must be an integer in [1, 500]", get("/api/issues?size=100000"));
        assertError(400, "page must be an integer", get("/api/issues?page=-1"));
        assertError(400, "query parameter 'page' is given twice", get("/api/issues?page=1&page=2"));
        assertError(400, "give page or offset, not both", get("/api/issues?page=1&offset=2"));
        assertError(400, "index 359 is out of range: test has 359 examples (0..358)", get("/api/thumbnail?split=test&index=359"));
        assertError(400, "index must be an integer", get("/api/thumbnail?split=test&index=x"));
        assertError(400, "split is missing", get("/api/thumbnail?index=1"));
        assertError(400, "JSON at character", post("/api/decision", "{\"split\":"));
        assertError(400, "must be a JSON object", post("/api/decision", "[1]"));
        assertError(400, "index 1438 is out of range", post("/api/decision", "{\"split\":\"train\",\"index\":1438,\"action\":\"keep\"}"));
        assertError(400, "\"index\" must be an integer", post("/api/decision", "{\"split\":\"train\",\"index\":1.5,\"action\":\"keep\"}"));
        assertError(400, "\"action\" must be keep, delete, relabel or undo, got \"burn\"", post("/api/decision", "{\"split\":\"train\",\"index\":1,\"action\":\"burn\"}"));
        assertError(400, "unknown class 'cat'", post("/api/decision", "{\"split\":\"train\",\"index\":1,\"action\":\"relabel\",\"label\":\"cat\"}"));
        assertError(400, "unknown class (none given)", post("/api/decision", "{\"split\":\"train\",\"index\":1,\"action\":\"relabel\"}"));
        assertError(400, "\"label\" goes with \"action\": \"relabel\" only", post("/api/decision", "{\"split\":\"train\",\"index\":1,\"action\":\"keep\",\"label\":\"3\"}"));
        assertError(400, "unknown field \"why\"", post("/api/decision", "{\"split\":\"train\",\"index\":1,\"action\":\"keep\",\"why\":1}"));
        assertError(413, "more than the limit", post("/api/decision", "{\"split\":\"" + "x".repeat(70_000) + "\"}"));
        HttpResponse<String> wrongMethod = get("/api/decision");
        assertError(405, "use POST", wrongMethod);
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        assertError(405, "use GET", post("/api/issues", "{}"));
        assertError(404, "no endpoint /api/nope", get("/api/nope"));
        // none of them was written, and the server still serves
        assertTrue(!Files.exists(overrides) || Files.readAllLines(overrides).stream().noneMatch(l -> l.startsWith("digits/train,1,")));
        assertEquals(200, get("/api/summary").statusCode());
    }

    static void assertError(int status, String part, HttpResponse<String> r) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        Object e = json(r).get("error");
        assertNotNull(e, r.body());
        assertTrue(e.toString().contains(part), "'" + e + "' should contain '" + part + "'");
    }
}
