package app.cli;

import app.serve.Server;
import app.serve.ServingBackend;
import app.train.SavedModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code nabla serve}: saved models as a web service (KServe v2, TorchServe paths, Prometheus) and a web page. */
final class ServeCommand implements Main.Command {
    static Flags flags() {
        return new Flags("./nabla serve [flags]",
                "Serves saved models over HTTP until SIGTERM or Ctrl-C, then finishes the requests in flight and exits 0.")
                .flag("checkpoint", "[NAME=]PATH", "out/model.safetensors", "a model to serve (written by ./nabla train); repeat for several, named NAME=PATH")
                .repeatable("checkpoint")
                .flag("name", "NAME", "the file's name without extension", "the name of a single --checkpoint given without NAME=")
                .flag("host", "ADDRESS", "127.0.0.1", "the address to listen on (0.0.0.0: every interface)")
                .flag("port", "N", "8080", "the TCP port (0: one the system picks)")
                .flag("backend", "NAME", "auto", "where the batches run: auto (the GPU if there is one and the models go up to it, else the CPU, "
                        + "saying why), cpu, or cuda (exits 1 without a GPU or when the models fail on it)")
                .flag("threads", "N", "1", "threads for the kernels: serving batches are small, and the other cores read and answer requests")
                .flag("io-threads", "N", "1", "threads that read, parse and answer requests (the models' batchers are threads of their own)")
                .flag("max-connections", "N", "1024", "open connections at most; beyond, a new one is answered 503 with Retry-After and closed")
                .flag("handlers", "N", "4", "worker threads for images and bodies over 256 KiB (JSON rows are parsed on the I/O threads)")
                .flag("max-batch", "ROWS", "32", "the most rows run in one forward pass")
                .flag("max-delay-ms", "MS", "2", "how long a batch waits for requests still being read, in ms")
                .flag("max-body-bytes", "BYTES", "16777216", "larger request bodies get 413, unread")
                .flag("queue", "N", "1024", "requests a model (or the workers) may hold waiting; beyond, 503 with Retry-After")
                .flag("request-timeout-s", "S", "30", "a request not in within S seconds gets 408; an answer not taken, or a connection idle, that long is closed")
                .note("Endpoints: GET / (web page), GET /ping, GET /v2/health/live|ready, GET /v2/models/{name}[/ready],\n"
                        + "POST /v2/models/{name}/infer (Open Inference Protocol, JSON), POST /predictions/{name} (JSON rows or an image),\n"
                        + "GET /metrics (Prometheus). See docs/serving.md.");
    }

    @Override
    public int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Flags f = flags();
        if (!f.parse(args, out)) return 0;
        kernels.ThreadPool.setThreads(Common.capThreads(f.getInt("threads", 1, 1024), err));
        List<String> specs = f.getAll("checkpoint");
        if (f.given("name") && specs.size() > 1) throw new Main.UsageException("--name names a single --checkpoint; with several, write NAME=PATH");
        Map<String, SavedModel> models = new LinkedHashMap<>();
        Map<String, String> paths = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String file = eq >= 0 ? spec.substring(eq + 1) : spec;
            String name = eq >= 0 ? spec.substring(0, eq) : f.given("name") ? f.get("name") : stem(Path.of(file));
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new Main.UsageException("model name '" + name + "' must be letters, digits, '.', '_' or '-' (it goes in URLs)");
            }
            if (models.containsKey(name)) throw new Main.UsageException("two checkpoints are named '" + name + "'; name them NAME=PATH");
            models.put(name, SavedModel.load(UserPaths.input("--checkpoint", file)));
            paths.put(name, file);
        }
        int maxBatch = f.getInt("max-batch", 1, 4096);
        Server.Config config = new Server.Config(f.get("host"), f.getInt("port", 0, 65535), f.getInt("handlers", 1, 4096), maxBatch,
                (long) (f.getDouble("max-delay-ms", 0, 10_000, "[]") * 1e6), f.getLong("max-body-bytes"), f.getInt("queue", 1, 1 << 20),
                f.getInt("request-timeout-s", 1, 86_400), f.getInt("io-threads", 1, 256), f.getInt("max-connections", 1, 1 << 20));
        if (config.maxBodyBytes() < 1 || config.maxBodyBytes() > Integer.MAX_VALUE - 8) {
            throw new Main.UsageException("--max-body-bytes must be in [1, " + (Integer.MAX_VALUE - 8) + "], got " + config.maxBodyBytes());
        }
        ServingBackend backend = ServingBackend.choose(f.getChoice("backend", "auto", "cpu", "cuda"), models);
        // auto: a GPU that fails while the models go up (out of memory, a CUDA error) leaves them on the CPU, as the line says
        Server server = backend.server(config, models, paths);
        out.println(server.backend().line());
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            try {
                server.stop(config.requestTimeoutSeconds());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stopped.countDown();
            }
        };
        Signals.onTerminate(stop);
        server.start();
        out.println("nabla serve: " + server.url() + " models " + describe(models, paths) + " (max batch " + maxBatch + ", Ctrl-C or SIGTERM stops)");
        out.flush();
        stopped.await();
        out.println("nabla serve: stopped");
        return 0;
    }

    private static String describe(Map<String, SavedModel> models, Map<String, String> paths) {
        StringBuilder sb = new StringBuilder();
        for (var e : models.entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(" (").append(e.getValue().spec().modelString())
                    .append(", ").append(paths.get(e.getKey())).append(')');
        }
        return sb.toString();
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
