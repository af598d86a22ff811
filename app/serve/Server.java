package app.serve;

import app.train.SavedModel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code nabla serve}'s HTTP/1.1 server, on java.nio: {@code ioThreads} selector loops ({@link Loop})
 * read, frame and route requests and answer the cheap ones; each model's {@link Batcher} runs its
 * network and writes the inference answers; a few worker threads decode images and parse large
 * bodies. Everything is bounded: connections ({@code maxConnections}, then 503), each model's
 * queue and the workers' queue ({@code queue}, then 503), the bodies in memory (a {@link MemoryGate},
 * then 503), and the time a request, an answer or an idle connection may hold a connection
 * ({@code requestTimeoutSeconds}). Why not com.sun.net.httpserver: docs/serving.md.
 */
public final class Server {
    /** What {@code nabla serve}'s flags set. */
    public record Config(String host, int port, int handlers, int maxBatch, long maxDelayNanos, long maxBodyBytes, int queue,
                         int requestTimeoutSeconds, int ioThreads, int maxConnections) {
        /** With one I/O thread and 1024 connections. */
        public Config(String host, int port, int handlers, int maxBatch, long maxDelayNanos, long maxBodyBytes, int queue, int requestTimeoutSeconds) {
            this(host, port, handlers, maxBatch, maxDelayNanos, maxBodyBytes, queue, requestTimeoutSeconds, 1, 1024);
        }
    }

    private final Config config;
    private final ServingBackend backend;
    private final Map<String, ServedModel> models = new LinkedHashMap<>();
    private final Metrics metrics = new Metrics();
    private final ServerSocketChannel channel;
    private final int port;
    private final Loop[] loops;
    private final Batcher[] batchers;
    private final ThreadPoolExecutor workers;
    private final Routes routes;
    private volatile boolean ready;
    private volatile boolean stopping;
    private volatile long stopStart;
    /** Requests from their first byte to their answer. */
    final AtomicInteger inFlight = new AtomicInteger();
    /** Model requests whose body is still coming: a batch may wait for them (--max-delay-ms). */
    final AtomicInteger arriving = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final MemoryGate memory;

    /** Builds a batcher per model and binds the port; {@link #start} begins serving. The batches run on the CPU. */
    public Server(Config config, Map<String, SavedModel> byName, Map<String, String> paths) throws IOException {
        this(config, byName, paths, ServingBackend.CPU);
    }

    /** The same with the batches run where {@code backend} says ({@link ServingBackend#choose}). */
    public Server(Config config, Map<String, SavedModel> byName, Map<String, String> paths, ServingBackend backend) throws IOException {
        // bodies beyond each connection's base buffer: half the heap (a body needs about 3x its size as bytes and floats)
        this(config, byName, paths, Runtime.getRuntime().maxMemory() / 2, backend);
    }

    /** With {@code bodyBudget} bytes for request bodies beyond the connections' base buffers (tests set it small). */
    Server(Config config, Map<String, SavedModel> byName, Map<String, String> paths, long bodyBudget) throws IOException {
        this(config, byName, paths, bodyBudget, ServingBackend.CPU);
    }

    Server(Config config, Map<String, SavedModel> byName, Map<String, String> paths, long bodyBudget, ServingBackend backend)
            throws IOException {
        this.config = config;
        this.backend = backend;
        this.memory = new MemoryGate(bodyBudget);
        // The models' forward passes first (on a GPU: the weights go up, a graph is captured), then the port, the batchers
        // (each starts its thread), the loops (each opens a selector). If anything fails, what was made is released
        // before the failure goes on: the batchers stopped (each closes its forward), the other forwards closed, the
        // selectors and the channel closed, so a caller that tries again (serve --backend auto on the CPU) starts clean.
        Map<String, ModelForward> forwards = new LinkedHashMap<>();
        List<Batcher> started = new ArrayList<>();
        ServerSocketChannel ch = null;
        Loop[] made = new Loop[Math.max(0, config.ioThreads())];
        try {
            for (var e : byName.entrySet()) forwards.put(e.getKey(), backend.forward(e.getValue(), config.maxBatch()));
            ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(config.host(), config.port()), 1024);
            for (var e : byName.entrySet()) {
                Batcher b = new Batcher(e.getKey(), e.getValue(), config.maxBatch(), config.maxDelayNanos(), config.queue(), arriving,
                        forwards.get(e.getKey()));
                started.add(b);
                forwards.remove(e.getKey());  // the batcher closes it now
                models.put(e.getKey(), new ServedModel(e.getKey(), paths.getOrDefault(e.getKey(), ""), e.getValue(), b));
            }
            channel = ch;
            routes = new Routes(this);
            workers = new ThreadPoolExecutor(config.handlers(), config.handlers(), 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(config.queue()), r -> {
                        Thread t = new Thread(r, "nabla-worker");
                        t.setDaemon(true);
                        return t;
                    });
            port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            batchers = models.values().stream().map(ServedModel::batcher).toArray(Batcher[]::new);
            for (int i = 0; i < made.length; i++) made[i] = new Loop(this, i);
            loops = made;
            loops[0].accept(ch);
        } catch (IOException | RuntimeException | Error e) {
            releaseAfter(e, started, forwards, ch, made);
            throw e;
        }
    }

    /** What a constructor that failed had made, released; a failure while releasing is suppressed in {@code e}. */
    private void releaseAfter(Throwable e, List<Batcher> started, Map<String, ModelForward> forwards, ServerSocketChannel ch, Loop[] made) {
        for (Batcher b : started) {
            try {
                b.stop();  // its thread ends at once (nothing was queued), then its forward is closed
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                e.addSuppressed(ie);
            } catch (RuntimeException | Error c) {
                e.addSuppressed(c);
            }
        }
        for (ModelForward f : forwards.values()) {  // those no batcher took
            try {
                f.close();
            } catch (RuntimeException | Error c) {
                e.addSuppressed(c);
            }
        }
        for (Loop l : made) {
            if (l == null) continue;
            try {
                l.selector.close();  // its thread never started
            } catch (IOException | RuntimeException c) {
                e.addSuppressed(c);
            }
        }
        if (workers != null) workers.shutdownNow();
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException c) {
                e.addSuppressed(c);
            }
        }
    }

    public void start() {
        for (Loop l : loops) l.thread.start();
        ready = true;
    }

    /** The bound port (the one the OS picked for port 0). */
    public int port() { return port; }

    /** {@code http://host:port/}. */
    public String url() {
        String h = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + h + ":" + port() + "/";
    }

    public List<String> modelNames() { return List.copyOf(models.keySet()); }

    /** Where the batches run, and the line that says so. */
    public ServingBackend backend() { return backend; }

    /**
     * Graceful stop: stops accepting, answers new requests 503 (Connection: close), waits up to
     * {@code graceSeconds} for the requests in flight (those whose first byte had come) to be
     * answered, then closes every connection and lets each batcher finish its queue.
     */
    public void stop(int graceSeconds) throws InterruptedException {
        ready = false;
        stopStart = System.nanoTime();
        stopping = true;
        try {
            loops[0].closeAcceptor();
        } catch (IOException ignored) {
            // closed anyway
        }
        long deadline = System.nanoTime() + graceSeconds * 1_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
        for (Loop l : loops) l.stop();
        for (Loop l : loops) l.thread.join(5_000);
        for (ServedModel m : models.values()) m.batcher().stop();
        workers.shutdown();
        workers.awaitTermination(graceSeconds, TimeUnit.SECONDS);
    }

    boolean ready() { return ready; }

    /** True once {@link #stop} began: requests begun since get 503 while those in flight finish. */
    boolean stopping() { return stopping; }

    /** When {@link #stop} began (System.nanoTime()). */
    long stopStart() { return stopStart; }

    Config config() { return config; }

    Metrics metrics() { return metrics; }

    Map<String, ServedModel> models() { return models; }

    Routes routes() { return routes; }

    Loop[] loops() { return loops; }

    ThreadPoolExecutor workers() { return workers; }

    /** Once per loop turn: wakes the batchers that were offered jobs. */
    void flushBatchers() {
        for (Batcher b : batchers) b.flush();
    }
}
