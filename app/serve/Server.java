package app.serve;

import app.serve.Metrics.Endpoint;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * {@link Routes}; the plumbing: {@link Http}.
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
        Http.configure(config.requestTimeoutSeconds());
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
