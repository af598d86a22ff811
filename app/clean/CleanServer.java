package app.clean;

import app.serve.Http;
import app.serve.HttpError;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tensor.io.Json;

/**
 * {@code nabla clean}'s local web page and its JSON API, on the serve package's HTTP plumbing:
 * <ul>
 *   <li>{@code GET /}: the page (app/clean/clean.html);</li>
 *   <li>{@code GET /api/summary}: the data, its classes, the splits and the overrides file;</li>
 *   <li>{@code GET /api/issues?split=train|test&class=NAME&status=todo|decided|all&offset=0&size=24}
 *       (or {@code page=N} for offset N·size): examples in rank order, least likely label first;</li>
 *   <li>{@code GET /api/thumbnail?split=train&index=12}: that example as a PNG;</li>
 *   <li>{@code POST /api/decision} {@code {"split", "index", "action": keep|delete|relabel|undo,
 *       "label"}}: saves the decision to the overrides file and answers the example.</li>
 * </ul>
 * A bad request gets a 4xx status and {@code {"error": ...}}; the server goes on serving.
 */
public final class CleanServer {
    /** The largest decision body read. */
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_PAGE_SIZE = 500;

    private volatile Review review;
    private final HttpServer http;
    private final ExecutorService handlers;
    private final byte[] page;

    /**
     * Binds {@code host:port} (port 0: one the system picks), so a port in use is said before the
     * ranking's minutes; {@link #start} serves a review.
     */
    public CleanServer(String host, int port, int requestTimeoutSeconds) throws IOException {
        try (InputStream in = CleanServer.class.getResourceAsStream("clean.html")) {
            if (in == null) throw new IOException("app/clean/clean.html is missing from the classpath (a broken build?)");
            page = in.readAllBytes();
        }
        Http.configure(requestTimeoutSeconds);
        try {
            http = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (java.net.BindException e) {
            throw new IOException("cannot listen on " + host + ":" + port + ": " + e.getMessage() + " (give another --port, or 0 for any)", e);
        }
        handlers = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "nabla-clean-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(handlers);
        http.createContext("/", Http.handler(this::route));
    }

    public void start(Review toServe) {
        review = toServe;
        http.start();
    }

    public void stop() throws InterruptedException {
        http.stop(0);
        handlers.shutdown();
        handlers.awaitTermination(5, TimeUnit.SECONDS);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://host:port/}. */
    public String url() {
        String h = http.getAddress().getHostString();
        return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port() + "/";
    }

    private void route(HttpExchange ex) throws IOException, HttpError {
        String path = ex.getRequestURI().getPath();
        switch (path) {
            case "/", "/index.html" -> {
                Http.requireGet(ex);
                Http.send(ex, 200, "text/html; charset=utf-8", page);
            }
            case "/api/summary" -> {
                Http.requireGet(ex);
                Http.sendJson(ex, 200, Json.write(summary()));
            }
            case "/api/issues" -> {
                Http.requireGet(ex);
                Http.sendJson(ex, 200, Json.write(issues(query(ex))));
            }
            case "/api/thumbnail" -> {
                Http.requireGet(ex);
                Map<String, String> q = query(ex);
                Review.Split s = split(q.get("split"));
                int index = index(q.get("index"), s);
                if (s.data().imageShape().isEmpty()) throw new HttpError(404, s.data().name() + " has no images: its rows are not pictures");
                ex.getResponseHeaders().set("Cache-Control", "max-age=3600");
                Http.send(ex, 200, "image/png", Thumbnail.png(s.data(), index));
            }
            case "/api/decision" -> {
                Http.requirePost(ex);
                Http.sendJson(ex, 200, Json.write(decide(Http.body(ex, MAX_BODY, ""))));
            }
            default -> throw new HttpError(404, "no endpoint " + path + "; the page is GET /, the API GET /api/summary, /api/issues, "
                    + "/api/thumbnail and POST /api/decision");
        }
    }

    private Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", review.spec());
        m.put("classes", review.classes());
        List<Object> splits = new ArrayList<>();
        boolean images = false;
        for (Review.Split s : review.splits().values()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", s.name());
            o.put("dataset", review.datasetName(s.name()));
            o.put("size", s.data().size());
            long flagged = java.util.Arrays.stream(s.ranked()).filter(LabelIssues.Issue::flagged).count();
            o.put("flagged", flagged);
            splits.add(o);
            images |= s.data().imageShape().isPresent();
        }
        m.put("splits", splits);
        m.put("images", images);
        m.put("overrides", review.overrides().file().toString());
        m.put("decided", review.decided());
        return m;
    }

    private Map<String, Object> issues(Map<String, String> q) throws HttpError {
        String split = q.getOrDefault("split", "");
        if (!split.isEmpty() && !split.equals("all")) split(split);
        String cls = q.getOrDefault("class", "");
        if (!cls.isEmpty() && !review.classes().contains(cls)) {
            throw new HttpError(400, "unknown class '" + cls + "'; the classes are " + String.join(", ", review.classes()));
        }
        Review.Status status;
        try {
            status = Review.Status.valueOf(q.getOrDefault("status", "all").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "status must be todo, decided or all, got '" + q.get("status") + "'");
        }
        int size = number(q, "size", 24, 1, MAX_PAGE_SIZE);
        if (q.containsKey("page") && q.containsKey("offset")) throw new HttpError(400, "give page or offset, not both");
        long offset = q.containsKey("offset") ? number(q, "offset", 0, 0, Integer.MAX_VALUE)
                : (long) number(q, "page", 0, 0, Integer.MAX_VALUE) * size;
        Review.Page p = review.page(split.isEmpty() || split.equals("all") ? null : split, cls.isEmpty() ? null : cls, status,
                (int) Math.min(offset, Integer.MAX_VALUE), size);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", p.total());
        m.put("offset", p.offset());
        m.put("size", size);
        m.put("pages", (p.total() + size - 1) / size);
        m.put("decided", review.decided());
        List<Object> entries = new ArrayList<>();
        for (Review.Entry e : p.entries()) entries.add(json(e));
        m.put("issues", entries);
        return m;
    }

    private Map<String, Object> decide(byte[] body) throws HttpError, IOException {
        Object parsed;
        try {
            parsed = Json.parse(new String(body, StandardCharsets.UTF_8));
        } catch (Json.ParseException e) {
            throw new HttpError(400, e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> m)) throw new HttpError(400, "the body must be a JSON object {\"split\", \"index\", \"action\", \"label\"}");
        for (Object k : m.keySet()) {
            if (!List.of("split", "index", "action", "label").contains(k)) {
                throw new HttpError(400, "unknown field \"" + k + "\"; a decision has split, index, action and label");
            }
        }
        if (!(m.get("split") instanceof String splitName)) throw new HttpError(400, "\"split\" must be a string: train or test");
        Review.Split s = split(splitName);
        if (!(m.get("index") instanceof Long index)) throw new HttpError(400, "\"index\" must be an integer, got " + Json.write(m.get("index")));
        if (index < 0 || index >= s.data().size()) throw new HttpError(400, outOfRange(index, s));
        if (!(m.get("action") instanceof String actionName)) throw new HttpError(400, "\"action\" must be keep, delete, relabel or undo");
        Review.Action action;
        try {
            action = Review.Action.valueOf(actionName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "\"action\" must be keep, delete, relabel or undo, got \"" + actionName + "\"");
        }
        Object label = m.get("label");
        if (label != null && !(label instanceof String)) throw new HttpError(400, "\"label\" must be a class name");
        if (action != Review.Action.RELABEL && label != null) throw new HttpError(400, "\"label\" goes with \"action\": \"relabel\" only");
        Review.Entry e;
        try {
            e = review.decide(splitName, index.intValue(), action, (String) label);
        } catch (IllegalArgumentException bad) {
            throw new HttpError(400, bad.getMessage());
        } catch (IOException cannotSave) {
            throw new HttpError(500, "the decision was not saved: " + cannotSave.getMessage());
        }
        Map<String, Object> out = json(e);
        out.put("decided", review.decided());
        return out;
    }

    private static Map<String, Object> json(Review.Entry e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("split", e.split());
        o.put("index", e.index());
        o.put("example", e.example());
        o.put("rank", e.rank());
        o.put("given", e.given());
        o.put("predicted", e.predicted());
        o.put("p_predicted", e.predictedProbability());
        o.put("p_given", e.givenProbability());
        o.put("suggested", e.suggested());
        o.put("flagged", e.flagged());
        o.put("decision", e.decision());
        return o;
    }

    private Review.Split split(String name) throws HttpError {
        if (name == null) throw new HttpError(400, "split is missing; this page has " + review.splits().keySet());
        Review.Split s = review.splits().get(name);
        if (s == null) throw new HttpError(400, "unknown split '" + name + "'; this page has " + review.splits().keySet());
        return s;
    }

    private static int index(String text, Review.Split s) throws HttpError {
        if (text == null) throw new HttpError(400, "index is missing");
        long i;
        try {
            i = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "index must be an integer, got '" + text + "'");
        }
        if (i < 0 || i >= s.data().size()) throw new HttpError(400, outOfRange(i, s));
        return (int) i;
    }

    private static String outOfRange(long i, Review.Split s) {
        return "index " + i + " is out of range: " + s.name() + " has " + s.data().size() + " examples (0.." + (s.data().size() - 1) + ")";
    }

    private static int number(Map<String, String> q, String name, int absent, int min, int max) throws HttpError {
        String v = q.get(name);
        if (v == null || v.isEmpty()) return absent;
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new HttpError(400, name + " must be an integer in [" + min + ", " + max + "], got '" + v + "'");
        }
    }

    /** The query string's parameters, decoded; a parameter given twice is refused. */
    private static Map<String, String> query(HttpExchange ex) throws HttpError {
        Map<String, String> q = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) return q;
        for (String part : raw.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k, v;
            try {
                k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "bad %-escape in the query: " + part);
            }
            if (q.put(k, v) != null) throw new HttpError(400, "query parameter '" + k + "' is given twice");
        }
        return q;
    }
}
