package app.serve;

import com.sun.net.httpserver.HttpExchange;
import data.ImageFolder;
import data.ImageShape;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;

/**
 * The endpoints: TorchServe's {@code GET /ping} and {@code POST /predictions/{name}}; the Open
 * Inference Protocol's (KServe v2) health, server and model metadata, readiness and
 * {@code POST /v2/models/{name}[/versions/1]/infer}; Prometheus {@code GET /metrics}; the web page
 * {@code GET /} and its model list {@code GET /models}. Every refusal is a JSON {@code {"error"}}.
 */
final class Routes {
    static final String VERSION = "1";
    private final Server server;
    private final byte[] page;

    Routes(Server server) throws IOException {
        this.server = server;
        try (InputStream in = Routes.class.getResourceAsStream("index.html")) {
            if (in == null) throw new IOException("app/serve/index.html is missing from the classpath");
            page = in.readAllBytes();
        }
    }

    void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        String path = ex.getRequestURI().getPath();
        int status = 500;
        server.inFlight.incrementAndGet();
        try {
            if (server.stopping()) {
                ex.getResponseHeaders().set("Connection", "close");
                throw new HttpError(503, "the server is stopping");
            }
            status = route(ex, path);
        } catch (HttpError e) {
            status = e.status;
            if (status == 405) ex.getResponseHeaders().set("Allow", e.getMessage().endsWith("use POST") ? "POST" : "GET");
            if (status == 503) ex.getResponseHeaders().set("Retry-After", "1");
            reply(ex, status, JsonOut.error(e.getMessage()));
        } catch (IOException e) {
            status = 400; // the client went away or sent a broken body: nobody to answer
            ex.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 503;
            reply(ex, 503, JsonOut.error("the server is stopping"));
        } catch (RuntimeException e) {
            status = 500;
            reply(ex, 500, JsonOut.error("internal error: " + e));
        } finally {
            server.inFlight.decrementAndGet();
            server.metrics().record(Server.endpointOf(path), status, System.nanoTime() - t0);
        }
    }

    private static void reply(HttpExchange ex, int status, String json) {
        try {
            Http.sendJson(ex, status, json);
        } catch (IOException | RuntimeException ignored) {
            ex.close(); // headers already sent, or the client is gone
        }
    }

    /** Answers the request and returns its status; refusals are thrown. */
    private int route(HttpExchange ex, String path) throws IOException, HttpError, InterruptedException {
        String method = ex.getRequestMethod();
        switch (path) {
            case "/ping" -> {
                get(method);
                return json(ex, 200, server.ready() ? "{\"status\":\"Healthy\"}" : "{\"status\":\"Unhealthy\"}");
            }
            case "/v2/health/live" -> {
                get(method);
                return json(ex, 200, "{\"live\":true}");
            }
            case "/v2/health/ready" -> {
                get(method);
                return server.ready() ? json(ex, 200, "{\"ready\":true}") : json(ex, 503, "{\"ready\":false}");
            }
            case "/v2", "/v2/" -> {
                get(method);
                return json(ex, 200, "{\"name\":\"nabla\",\"version\":\"" + VERSION + "\",\"extensions\":[]}");
            }
            case "/metrics" -> {
                get(method);
                Http.send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", server.metrics().text(List.copyOf(server.models().values())));
                return 200;
            }
            case "/", "/index.html" -> {
                get(method);
                Http.send(ex, 200, "text/html; charset=utf-8", page);
                return 200;
            }
            case "/models" -> {
                get(method);
                return json(ex, 200, ModelJson.list(server.models().values()));
            }
            default -> { }
        }
        if (path.startsWith("/predictions/")) {
            ServedModel m = model(path.substring("/predictions/".length()));
            post(method);
            return predictions(ex, m);
        }
        if (path.startsWith("/v2/models/")) {
            String rest = path.substring("/v2/models/".length());
            String[] parts = rest.split("/", -1);
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
                    get(method);
                    return json(ex, 200, ModelJson.metadata(m));
                }
                case "ready" -> {
                    get(method);
                    return json(ex, server.ready() ? 200 : 503, "{\"name\":\"" + m.name() + "\",\"ready\":" + server.ready() + "}");
                }
                case "infer" -> {
                    post(method);
                    return infer(ex, m);
                }
                default -> throw new HttpError(404, "no endpoint " + path);
            }
        }
        throw new HttpError(404, "no endpoint " + path + "; see GET / for the page, /v2/models/{name} for a model");
    }

    private int infer(HttpExchange ex, ServedModel m) throws IOException, HttpError, InterruptedException {
        InferRequest req;
        m.batcher().arriving();
        Job job;
        try {
            byte[] body = Http.body(ex, server.config().maxBodyBytes(), " (--max-body-bytes)");
            req = InferRequest.v2(body, body.length, m.inputs());
            job = queue(m, req.x(), req.rows());
        } finally {
            m.batcher().arrived();
        }
        job.await();
        StringBuilder sb = new StringBuilder(64 + 14 * job.probabilities.length);
        sb.append("{\"model_name\":\"").append(m.name()).append("\",\"model_version\":\"").append(VERSION).append('"');
        if (req.id() != null) JsonOut.string(sb.append(",\"id\":"), req.id());
        sb.append(",\"outputs\":[{\"name\":\"").append(InferRequest.OUTPUT).append("\",\"shape\":[").append(req.rows()).append(',')
                .append(m.classes()).append("],\"datatype\":\"FP32\",\"data\":");
        JsonOut.floats(sb, job.probabilities, 0, job.probabilities.length).append("}]}");
        return json(ex, 200, sb.toString());
    }

    private int predictions(HttpExchange ex, ServedModel m) throws IOException, HttpError, InterruptedException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        type = type == null ? "application/json" : type.toLowerCase(Locale.ROOT);
        Job job;
        m.batcher().arriving();
        try {
            byte[] body = Http.body(ex, server.config().maxBodyBytes(), " (--max-body-bytes)");
            if (type.startsWith("image/")) {
                job = queue(m, image(m, body, type), 1);
            } else { // JSON, whatever the client calls it (curl says form-urlencoded, hey text/html)
                InferRequest req = InferRequest.rows(body, body.length, m.inputs());
                job = queue(m, req.x(), req.rows());
            }
        } finally {
            m.batcher().arrived();
        }
        job.await();
        StringBuilder sb = new StringBuilder(64 + 24 * job.probabilities.length);
        sb.append("{\"predictions\":[");
        int k = m.classes();
        for (int r = 0; r < job.rows; r++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (job.probabilities[r * k + c] > job.probabilities[r * k + best]) best = c;
            sb.append(r == 0 ? "" : ",").append("{\"class\":").append(best).append(",\"label\":");
            JsonOut.string(sb, m.labels().get(best)).append(",\"probabilities\":");
            JsonOut.floats(sb, job.probabilities, r * k, k).append('}');
        }
        return json(ex, 200, sb.append("]}").toString());
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

    private static Job queue(ServedModel m, float[] x, int rows) throws HttpError {
        Job job = new Job(x, rows, m.classes());
        if (!m.batcher().offer(job)) {
            throw new HttpError(503, "model \"" + m.name() + "\" has " + m.batcher().depth() + " requests queued (--queue); retry later");
        }
        return job;
    }

    private ServedModel model(String name) throws HttpError {
        ServedModel m = server.models().get(name);
        if (m == null) throw new HttpError(404, "unknown model \"" + name + "\"; this server has " + server.modelNames());
        return m;
    }

    private static int json(HttpExchange ex, int status, String json) throws IOException {
        Http.sendJson(ex, status, json);
        return status;
    }

    private static void get(String method) throws HttpError {
        if (!method.equals("GET")) throw new HttpError(405, "method " + method + " is not allowed here; use GET");
    }

    private static void post(String method) throws HttpError {
        if (!method.equals("POST")) throw new HttpError(405, "method " + method + " is not allowed here; use POST");
    }
}
