package app.serve;

import app.serve.Metrics.Endpoint;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code nabla serve}'s HTTP server, on the JDK's own {@code com.sun.net.httpserver}. Its dispatcher
 * thread only accepts and parses headers; a fixed pool of handler threads reads bodies, parses
 * JSON and waits for the model's {@link Batcher}, whose own thread runs the network. Routes:
 * {@link Routes}.
 */
public final class Server {
    /** What {@code nabla serve}'s flags set. */
    public record Config(String host, int port, int handlers, int maxBatch, long maxDelayNanos, long maxBodyBytes, int queue,
                         int requestTimeoutSeconds) {}

    private final Config config;
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final Metrics metrics = new Metrics();
    private final HttpServer http;
    private final ThreadPoolExecutor handlers;
    private volatile boolean ready;
    private volatile boolean stopping;
    final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    /** Builds a batcher per model and binds the port; {@link #start} begins serving. */
    public Server(Config config, Map<String, app.train.SavedModel> byName, Map<String, String> paths) throws IOException {
        this.config = config;
        // a request whose headers and body are not in within the timeout is cut (the JDK server reads these once, at class load)
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(config.requestTimeoutSeconds()));
        System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(config.requestTimeoutSeconds()));
        // headers and body are two writes: without TCP_NODELAY, Nagle holds the body for the client's delayed ACK (40 ms)
        System.setProperty("sun.net.httpserver.nodelay", "true");
        for (var e : byName.entrySet()) {
            Batcher b = new Batcher(e.getKey(), e.getValue(), config.maxBatch(), config.maxDelayNanos(), config.queue());
            models.put(e.getKey(), new ServedModel(e.getKey(), paths.getOrDefault(e.getKey(), ""), e.getValue(), b));
        }
        http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 1024);
        handlers = new ThreadPoolExecutor(config.handlers(), config.handlers(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        handlers.setThreadFactory(r -> {
            Thread t = new Thread(r, "nabla-http-" + handlers.getPoolSize());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(handlers);
        Routes routes = new Routes(this);
        http.createContext("/", routes::handle);
    }

    public void start() {
        http.start();
        ready = true;
    }

    /** The bound port (the one the OS picked for port 0). */
    public int port() { return http.getAddress().getPort(); }

    /** {@code http://host:port/}. */
    public String url() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + h + ":" + port() + "/";
    }

    public List<String> modelNames() { return List.copyOf(models.keySet()); }

    /**
     * Graceful stop: refuses new connections, waits up to {@code graceSeconds} for the requests in
     * flight to be answered, then lets each batcher finish its queue.
     */
    public void stop(int graceSeconds) throws InterruptedException {
        ready = false;
        stopping = true;
        // JDK 17's HttpServer.stop(delay) waits the whole delay when no exchange is open: count them here instead
        long deadline = System.nanoTime() + graceSeconds * 1_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
        http.stop(0);
        for (ServedModel m : models.values()) m.batcher().stop();
        handlers.shutdown();
        handlers.awaitTermination(graceSeconds, TimeUnit.SECONDS);
    }

    boolean ready() { return ready; }

    /** True once {@link #stop} began: new requests get 503 while those in flight finish. */
    boolean stopping() { return stopping; }

    Config config() { return config; }

    Metrics metrics() { return metrics; }

    Map<String, ServedModel> models() { return models; }

    // ---------------------------------------------------------------- the exchange's bytes

    /**
     * The request body, at most {@code max} bytes: a declared Content-Length over the limit is
     * refused before a byte is read; a chunked body is read only until it passes the limit.
     */
    static byte[] body(HttpExchange ex, long max) throws IOException, HttpError {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        InputStream in = ex.getRequestBody();
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Content-Length '" + declared + "' is not a number");
            }
            if (n > max) throw new HttpError(413, "the body is " + n + " bytes, more than the limit of " + max + " (--max-body-bytes)");
            byte[] b = in.readNBytes((int) n);
            if (b.length < n) throw new HttpError(400, "the body ended after " + b.length + " of " + n + " bytes");
            return b;
        }
        byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
        if (b.length > max) throw new HttpError(413, "the body is more than the limit of " + max + " bytes (--max-body-bytes)");
        return b;
    }

    static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    static void sendJson(HttpExchange ex, int status, String json) throws IOException {
        send(ex, status, "application/json", json);
    }

    static Endpoint endpointOf(String path) {
        if (path.equals("/ping")) return Endpoint.PING;
        if (path.startsWith("/v2/health")) return Endpoint.HEALTH;
        if (path.endsWith("/infer")) return Endpoint.INFER;
        if (path.startsWith("/predictions/")) return Endpoint.PREDICTIONS;
        if (path.startsWith("/v2")) return Endpoint.METADATA;
        if (path.equals("/metrics")) return Endpoint.METRICS;
        if (path.equals("/") || path.equals("/index.html") || path.equals("/models")) return Endpoint.PAGE;
        return Endpoint.OTHER;
    }
}
