package app.serve;

import data.ImageFolder;
import data.ImageShape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * The endpoints: TorchServe's {@code GET /ping} and {@code POST /predictions/{name}}; the Open
 * Inference Protocol's (KServe v2) health, server and model metadata, readiness and
 * {@code POST /v2/models/{name}[/versions/1]/infer}; Prometheus {@code GET /metrics}; the web page
 * {@code GET /} and its model list {@code GET /models}. Every refusal is a JSON {@code {"error"}}.
 *
 * <p>Where each runs: {@link #route} on the connection's loop thread, which answers the cheap
 * requests itself and, for {@code /predictions} with a JSON body (the hot path), parses the rows
 * into the connection's reused Job and queues it, allocating nothing. Images and bodies over
 * {@link #INLINE_BODY} go to a worker ({@link #work}). The batcher's thread writes the inference
 * answers ({@link #batched}).
 */
final class Routes {
    static final String VERSION = "1";
    /** JSON bodies up to this size are parsed on the loop thread; larger ones on a worker, so that one does not stall the loop. */
    static final int INLINE_BODY = 256 * 1024;
    private static final String PREDICTIONS = "/predictions/";
    private static final byte[] PREDICTIONS_BYTES = PREDICTIONS.getBytes(StandardCharsets.US_ASCII);

    private final Server server;
    private final byte[] page;
    private final ServedModel[] models;

    Routes(Server server) throws IOException {
        this.server = server;
        this.models = server.models().values().toArray(new ServedModel[0]);
        try (InputStream in = Routes.class.getResourceAsStream("index.html")) {
            if (in == null) throw new IOException("app/serve/index.html is missing from the classpath");
            page = in.readAllBytes();
        }
    }

    /** On the loop thread: a request is in; answer it, or hand it on. */
    void route(Conn c) {
        try {
            ServedModel m = hot(c);
            if (m != null) {
                predictJson(c, m);
            } else if (heavy(c)) {
                c.handOff();
                try {
                    server.workers().execute(c.work);
                } catch (RejectedExecutionException e) {
                    c.takeBack();
                    throw new HttpError(503, "every handler is busy and " + server.workers().getQueue().size()
                            + " requests wait for one (--handlers, --queue); retry later");
                }
            } else {
                answer(c, path(c));
            }
        } catch (HttpError e) {
            refuse(c, e.status, e.getMessage());
        } catch (RuntimeException e) {
            refuse(c, 500, "internal error: " + e);
        }
    }

    /** On a worker: an image, or a large body. */
    void work(Conn c) {
        try {
            answer(c, path(c));
        } catch (HttpError e) {
            refuse(c, e.status, e.getMessage());
        } catch (RuntimeException e) {
            refuse(c, 500, "internal error: " + e);
        }
    }

    /** On the batcher's thread: the job's batch has run; its answer is written. */
    void batched(Conn c, Job j) {
        if (j.failure != null) {
            refuse(c, 500, "internal error: " + j.failure);
            return;
        }
        c.body.clear();
        if (j.kind == Job.PREDICTIONS) JsonOut.predictions(c.body, j.model, j.probabilities, j.rows);
        else JsonOut.v2(c.body, j.model, j.id, j.probabilities, j.rows);
        c.send(200, Answer.JSON);
    }

    private void refuse(Conn c, int status, String message) {
        if (status == 405) c.allow = message.endsWith("use POST") ? "POST" : "GET";
        if (status == 503) c.retryAfter = true;
        c.sendError(status, message);
    }

    /** The model of a {@code POST /predictions/{name}} whose small JSON body the loop parses at once, or null. */
    private ServedModel hot(Conn c) {
        HttpHead h = c.head;
        if (h.method != HttpHead.POST || c.bodyLength > INLINE_BODY || !json(c)) return null;
        byte[] b = c.in;
        int from = h.pathStart + PREDICTIONS_BYTES.length;
        if (h.pathEnd <= from || !HttpHead.is(b, h.pathStart, from, PREDICTIONS)) return null;
        for (ServedModel m : models) {
            byte[] n = m.nameBytes();
            if (h.pathEnd - from == n.length && java.util.Arrays.equals(b, from, h.pathEnd, n, 0, n.length)) return m;
        }
        return null;
    }

    /** A request that a worker takes: an image, or a body too large to parse on the loop. */
    private boolean heavy(Conn c) {
        return c.head.method == HttpHead.POST && modelRequest(c) && (c.head.typeStarts(c.in, "image/") || c.bodyLength > INLINE_BODY);
    }

    /** A POST whose answer comes from a model (the batcher may wait for its body). */
    boolean modelRequest(Conn c) {
        HttpHead h = c.head;
        return h.method == HttpHead.POST && (HttpHead.istarts(c.in, h.pathStart, h.pathEnd, PREDICTIONS)
                || h.pathEnd - h.pathStart > 6 && HttpHead.is(c.in, h.pathEnd - 6, h.pathEnd, "/infer"));
    }

    /** The endpoint a request counts under in the metrics. */
    Metrics.Endpoint endpoint(Conn c) {
        HttpHead h = c.head;
        byte[] b = c.in;
        int s = h.pathStart, e = h.pathEnd;
        if (HttpHead.is(b, s, e, "/ping")) return Metrics.Endpoint.PING;
        if (HttpHead.istarts(b, s, e, "/v2/health")) return Metrics.Endpoint.HEALTH;
        if (e - s >= 6 && HttpHead.is(b, e - 6, e, "/infer")) return Metrics.Endpoint.INFER;
        if (HttpHead.istarts(b, s, e, PREDICTIONS)) return Metrics.Endpoint.PREDICTIONS;
        if (HttpHead.istarts(b, s, e, "/v2")) return Metrics.Endpoint.METADATA;
        if (HttpHead.is(b, s, e, "/metrics")) return Metrics.Endpoint.METRICS;
        if (e == s || HttpHead.is(b, s, e, "/") || HttpHead.is(b, s, e, "/index.html") || HttpHead.is(b, s, e, "/models")) return Metrics.Endpoint.PAGE;
        return Metrics.Endpoint.OTHER;
    }

    /**
     * A body read as JSON: no Content-Type, application/json, any *+json, and what tools send JSON as
     * unasked: text/plain, text/html (hey's default), application/x-www-form-urlencoded (curl -d's).
     */
    private static boolean json(Conn c) {
        HttpHead h = c.head;
        byte[] b = c.in;
        return h.typeStart < 0 || h.typeIs(b, "application/json") || h.typeEnds(b, "+json") || h.typeIs(b, "text/plain")
                || h.typeIs(b, "text/html") || h.typeIs(b, "application/x-www-form-urlencoded");
    }

    // ---------------------------------------------------------------- the hot path

    private void predictJson(Conn c, ServedModel m) throws HttpError {
        Job job = c.job;
        int rows = c.rows.parse(c.in, c.bodyStart, c.bodyStart + c.bodyLength, m.inputs(), job);
        if (rows < 0) { // not the plain form: the full parser reads it, or says what is wrong
            InferRequest req = InferRequest.rows(c.bodyCopy(), c.bodyLength, m.inputs());
            job.x = req.x();
            rows = req.rows();
        }
        job.prepare(m, Job.PREDICTIONS, rows);
        queue(c, m);
    }

    /** Queues the connection's job: on the loop, the connection is handed off first; on a worker it already is. */
    private static void queue(Conn c, ServedModel m) throws HttpError {
        boolean loop = c.owner() == Conn.LOOP;
        if (loop) c.handOff();
        if (!m.batcher().offer(c.job)) {
            if (loop) c.takeBack();
            throw new HttpError(503, "model \"" + m.name() + "\" has " + m.batcher().depth() + " requests queued (--queue); retry later");
        }
        if (!loop) m.batcher().flush(); // the loop flushes once per turn
    }

    // ---------------------------------------------------------------- everything else

    /** Answers the request, or queues it for its model; refusals are thrown. */
    private void answer(Conn c, String path) throws HttpError {
        switch (path) {
            case "/ping" -> {
                get(c);
                json(c, 200, server.ready() ? "{\"status\":\"Healthy\"}" : "{\"status\":\"Unhealthy\"}");
                return;
            }
            case "/v2/health/live" -> {
                get(c);
                json(c, 200, "{\"live\":true}");
                return;
            }
            case "/v2/health/ready" -> {
                get(c);
                json(c, server.ready() ? 200 : 503, "{\"ready\":" + server.ready() + "}");
                return;
            }
            case "/v2", "/v2/" -> {
                get(c);
                json(c, 200, "{\"name\":\"nabla\",\"version\":\"" + VERSION + "\",\"extensions\":[]}");
                return;
            }
            case "/metrics" -> {
                get(c);
                c.body.clear().str(server.metrics().text(List.of(models)));
                c.send(200, "text/plain; version=0.0.4; charset=utf-8");
                return;
            }
            case "/", "/index.html" -> {
                get(c);
                c.body.clear().bytes(page);
                c.send(200, "text/html; charset=utf-8");
                return;
            }
            case "/models" -> {
                get(c);
                json(c, 200, ModelJson.list(List.of(models)));
                return;
            }
            default -> { }
        }
        if (path.startsWith(PREDICTIONS)) {
            ServedModel m = model(path.substring(PREDICTIONS.length()));
            post(c);
            predictions(c, m);
            return;
        }
        if (path.startsWith("/v2/models/")) {
            String[] parts = path.substring("/v2/models/".length()).split("/", -1);
            ServedModel m = model(parts[0]);
            int i = 1;
            if (parts.length >= 3 && parts[1].equals("versions")) {
                if (!parts[2].equals(VERSION)) throw new HttpError(404, "model \"" + m.name() + "\" has no version \"" + parts[2] + "\"; it has \"" + VERSION + "\"");
                i = 3;
            }
            String action = parts.length > i ? parts[i] : "";
            if (parts.length > i + 1) throw new HttpError(404, "no endpoint " + path);
            switch (action) {
                case "" -> {
                    get(c);
                    json(c, 200, ModelJson.metadata(m));
                }
                case "ready" -> {
                    get(c);
                    json(c, server.ready() ? 200 : 503, "{\"name\":\"" + m.name() + "\",\"ready\":" + server.ready() + "}");
                }
                case "infer" -> {
                    post(c);
                    infer(c, m);
                }
                default -> throw new HttpError(404, "no endpoint " + path);
            }
            return;
        }
        throw new HttpError(404, "no endpoint " + path + "; see GET / for the page, /v2/models/{name} for a model");
    }

    private void infer(Conn c, ServedModel m) throws HttpError {
        if (!json(c)) {
            throw new HttpError(415, "Content-Type " + type(c) + " is not taken here: send the JSON form (application/json); "
                    + "the binary tensor extension is not supported");
        }
        InferRequest req = InferRequest.v2(c.bodyCopy(), c.bodyLength, m.inputs());
        c.job.x = req.x();
        c.job.id = req.id();
        c.job.prepare(m, Job.V2, req.rows());
        queue(c, m);
    }

    private void predictions(Conn c, ServedModel m) throws HttpError {
        if (c.head.typeStarts(c.in, "image/")) {
            c.job.x = image(m, c.bodyCopy(), type(c));
            c.job.prepare(m, Job.PREDICTIONS, 1);
        } else if (json(c)) {
            InferRequest req = InferRequest.rows(c.bodyCopy(), c.bodyLength, m.inputs());
            c.job.x = req.x();
            c.job.prepare(m, Job.PREDICTIONS, req.rows());
        } else {
            throw new HttpError(415, "Content-Type " + type(c) + " is not taken here: send JSON (application/json, {\"inputs\": [[" + m.inputs()
                    + " numbers]]}) or an image (image/png, image/jpeg)");
        }
        queue(c, m);
    }

    private static float[] image(ServedModel m, byte[] body, String type) throws HttpError {
        ImageShape shape = m.model().imageShape().orElseThrow(() -> new HttpError(415,
                "model \"" + m.name() + "\" was not trained on images; send {\"inputs\": [[" + m.inputs() + " numbers]]}"));
        if (shape.size() != m.inputs()) throw new HttpError(415, "model \"" + m.name() + "\" takes " + m.inputs() + " inputs, not an image of " + shape);
        float[] x = new float[m.inputs()];
        try {
            ImageFolder.toRow(body, "the " + type + " body", shape, x, 0);
        } catch (IOException | RuntimeException e) {
            throw new HttpError(400, "cannot decode the " + type + " body as an image: " + e.getMessage());
        }
        return x;
    }

    private ServedModel model(String name) throws HttpError {
        ServedModel m = server.models().get(name);
        if (m == null) throw new HttpError(404, "unknown model \"" + name + "\"; this server has " + server.modelNames());
        return m;
    }

    private static void json(Conn c, int status, String json) {
        c.body.clear().str(json);
        c.send(status, Answer.JSON);
    }

    private static void get(Conn c) throws HttpError {
        if (c.head.method != HttpHead.GET) throw new HttpError(405, "method " + method(c) + " is not allowed here; use GET");
    }

    private static void post(Conn c) throws HttpError {
        if (c.head.method != HttpHead.POST) throw new HttpError(405, "method " + method(c) + " is not allowed here; use POST");
    }

    private static String method(Conn c) {
        return new String(c.in, c.head.methodStart, c.head.methodEnd - c.head.methodStart, StandardCharsets.US_ASCII);
    }

    private static String type(Conn c) {
        HttpHead h = c.head;
        return h.typeStart < 0 ? "(none)" : new String(c.in, h.typeStart, h.typeEnd - h.typeStart, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
    }

    /** The request's path, %XX escapes decoded as UTF-8 ("/" for an absolute-form target with no path). */
    static String path(Conn c) {
        HttpHead h = c.head;
        if (h.pathEnd == h.pathStart) return "/";
        if (HttpHead.indexOf(c.in, h.pathStart, h.pathEnd, (byte) '%') < 0) {
            return new String(c.in, h.pathStart, h.pathEnd - h.pathStart, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = h.pathStart; i < h.pathEnd; i++) {
            int hi = i + 2 < h.pathEnd && c.in[i] == '%' ? Character.digit(c.in[i + 1], 16) : -1;
            int lo = hi >= 0 ? Character.digit(c.in[i + 2], 16) : -1;
            if (lo >= 0) {
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(c.in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
