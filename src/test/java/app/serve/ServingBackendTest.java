package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import app.cli.Main;
import app.train.SavedModel;
import backprop.Network;
import backprop.layers.Dense;
import cuda.Backend;
import cuda.CudaCallException;
import cuda.GpuStatus;
import cuda.GpuUnavailableException;
import cuda.HostKernels;
import cuda.UnmirroredLayer;
import data.Digits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.Tensor;
import tensor.io.Json;

/**
 * {@code nabla serve --backend auto|cpu|cuda}: the choice and its line for made-up probe results (as
 * cuda.BackendTest), and a whole server whose batches run on the GPU's forward pass over the float[] twin of
 * each kernel, answering as the CPU server does within {@link ForwardBound}'s bound.
 */
class ServingBackendTest {
    static final GpuStatus NO_GPU = GpuStatus.unavailable("libcuda.so.1 not found");
    static final GpuStatus H100 = GpuStatus.availableOn("NVIDIA H100 80GB HBM3, sm_90");

    @TempDir
    static Path dir;
    static SavedModel model;

    @BeforeAll
    static void train() throws Exception {
        // batch norm, dropout and leaky ReLU: every kind of stage the evaluation forward has
        Path ck = dir.resolve("model.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"train", "--epochs", "1", "--batchnorm", "--dropout", "0.2", "--activation", "leaky-relu",
                "--checkpoint", ck.toString(), "--out", dir.toString(), "--backend", "cpu"}, p, p), log::toString);
        model = SavedModel.load(ck);
    }

    @Test
    void theChoiceAndItsLine() {
        Map<String, SavedModel> models = Map.of("digits", model);
        ServingBackend cpu = ServingBackend.choose("cpu", null, models, HostKernels::new);
        assertEquals(Backend.CPU, cpu.backend());
        assertEquals("backend: cpu (requested)", cpu.line());
        ServingBackend auto = ServingBackend.choose("auto", NO_GPU, models, HostKernels::new);
        assertEquals(Backend.CPU, auto.backend());
        assertEquals("backend: cpu (cuda unavailable: libcuda.so.1 not found)", auto.line());
        assertEquals("--backend cuda: cuda unavailable: libcuda.so.1 not found",
                assertThrows(GpuUnavailableException.class, () -> ServingBackend.choose("cuda", NO_GPU, models, HostKernels::new)).getMessage());
        for (String flag : new String[] {"auto", "cuda", null}) {
            ServingBackend gpu = ServingBackend.choose(flag, H100, models, HostKernels::new);
            assertEquals(Backend.CUDA, gpu.backend());
            assertEquals("backend: cuda (NVIDIA H100 80GB HBM3, sm_90)", gpu.line());
        }
        assertInstanceOf(ServingForward.class, auto.forward(model, 32));
        try (ModelForward f = ServingBackend.choose("auto", H100, models, HostKernels::new).forward(model, 32)) {
            assertInstanceOf(GpuForward.class, f);
        }
    }

    @Test
    void aModelWithALayerTheGpuDoesNotMirror() {
        Network own = new Network(4).add(new Dense(4, 3)).add(new UnmirroredLayer()).add(new Dense(3, 2));
        SavedModel odd = new SavedModel(null, null, null, own, null, null, List.of("a", "b"), Optional.empty());
        Map<String, SavedModel> models = new java.util.LinkedHashMap<>();
        models.put("digits", model);
        models.put("odd", odd);
        ServingBackend auto = ServingBackend.choose("auto", H100, models, HostKernels::new);
        assertEquals(Backend.CPU, auto.backend());
        assertEquals("backend: cpu (cuda: NVIDIA H100 80GB HBM3, sm_90, but model odd: layer identity1 has no GPU version)", auto.line());
        assertEquals("backend cuda: model odd: layer identity1 has no GPU version; use --backend cpu",
                assertThrows(UnsupportedOperationException.class, () -> ServingBackend.choose("cuda", H100, models, HostKernels::new)).getMessage());
    }

    @Test
    void aServerOnTheGpusForwardAnswersAsTheCpuServer() throws Exception {
        serversAgree(model, ServingBackend.choose("auto", H100, Map.of("digits", model), HostKernels::new));
    }

    /** Each call site made, so a test can see what each model's mirror still holds. */
    static final class Devices implements java.util.function.Supplier<HostKernels> {
        final List<HostKernels> made = new java.util.ArrayList<>();
        final long failingAllocationOfModel;  // the model (0, 1, ...) whose first allocation fails, or -1

        Devices(long failingModel) {
            this.failingAllocationOfModel = failingModel;
        }

        @Override
        public HostKernels get() {
            HostKernels h = new HostKernels();
            if (made.size() == failingAllocationOfModel) h.failAllocation = 0;
            made.add(h);
            return h;
        }

        void assertAllFreed() {
            for (int i = 0; i < made.size(); i++) assertEquals(0, made.get(i).liveBuffers(), "device buffers of model " + i + " not freed");
        }
    }

    static Server.Config config(int port, int handlers) {
        return new Server.Config("127.0.0.1", port, handlers, 32, 2_000_000, 1 << 20, 64, 10);
    }

    static int freePort() throws java.io.IOException {
        try (java.nio.channels.ServerSocketChannel c = java.nio.channels.ServerSocketChannel.open()) {
            c.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            return ((java.net.InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }

    /** The port is free again: bound and closed at once. */
    static void assertFree(int port) throws java.io.IOException {
        try (java.nio.channels.ServerSocketChannel c = java.nio.channels.ServerSocketChannel.open()) {
            c.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        }
    }

    static void assertNoBatcherOf(String... names) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            for (String n : names) {
                if (t.isAlive() && t.getName().equals("nabla-batcher-" + n)) fail("thread " + t.getName() + " still runs");
            }
        }
    }

    /**
     * A server whose construction fails releases what it had made: with the failure after the batchers started (no worker
     * threads: the executor refuses 0), on the CPU and on the GPU's forward, the batcher threads end, every device buffer
     * of every model is freed and the port is free again; with the second model's forward failing on the device, the first
     * model's is freed.
     */
    @Test
    void aServerThatFailsToBuildReleasesWhatItMade() throws Exception {
        Map<String, SavedModel> models = new java.util.LinkedHashMap<>();
        models.put("leak-a", model);
        models.put("leak-b", model);
        int port = freePort();
        assertThrows(IllegalArgumentException.class, () -> new Server(config(port, 0), models, Map.of()));
        assertNoBatcherOf("leak-a", "leak-b");
        assertFree(port);

        Devices devices = new Devices(-1);
        ServingBackend gpu = ServingBackend.choose("cuda", H100, models, devices);
        assertThrows(IllegalArgumentException.class, () -> new Server(config(port, 0), models, Map.of(), gpu));
        assertEquals(2, devices.made.size());
        devices.assertAllFreed();
        assertNoBatcherOf("leak-a", "leak-b");
        assertFree(port);

        Devices second = new Devices(1);
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY (injected)", assertThrows(CudaCallException.class,
                () -> new Server(config(port, 2), models, Map.of(), ServingBackend.choose("cuda", H100, models, second))).result());
        assertEquals(2, second.made.size());
        second.assertAllFreed();
        assertFree(port);
    }

    /**
     * auto on a GPU whose forward cannot be built (out of device memory) serves on the CPU and says why in its line; what
     * the GPU attempt took is freed. cuda gives the failure to the caller (the CLI exits 1 with its message).
     */
    @Test
    void autoFallsBackToTheCpuWhenTheGpuForwardFails() throws Exception {
        Map<String, SavedModel> models = Map.of("digits", model);
        Devices devices = new Devices(0);
        ServingBackend auto = ServingBackend.choose("auto", H100, models, devices);
        assertEquals(Backend.CUDA, auto.backend());
        Server server = auto.server(config(0, 2), models, Map.of());
        try {
            assertEquals(Backend.CPU, server.backend().backend());
            assertTrue(server.backend().line().matches("backend: cpu \\(cuda: NVIDIA H100 80GB HBM3, sm_90, but building the GPU forward failed: "
                    + "cuMemAlloc\\(\\d+ floats\\) failed: CUDA_ERROR_OUT_OF_MEMORY \\(injected\\)\\)"), server.backend().line());
            devices.assertAllFreed();
            server.start();
            HttpResponse<String> r = post(HttpClient.newHttpClient(), server, ("{\"inputs\":[" + zeros(model.spec().inputs()) + "]}")
                    .getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
        } finally {
            server.stop(5);
        }
        Devices again = new Devices(0);
        ServingBackend strict = ServingBackend.choose("cuda", H100, models, again);
        assertThrows(CudaCallException.class, () -> strict.server(config(0, 2), models, Map.of()));
        again.assertAllFreed();
        // the GPU's own server when it works, and the CPU's as asked
        Server onGpu = ServingBackend.choose("auto", H100, models, new Devices(-1)).server(config(0, 2), models, Map.of());
        onGpu.stop(1);
        assertEquals("backend: cuda (NVIDIA H100 80GB HBM3, sm_90)", onGpu.backend().line());
        Server onCpu = ServingBackend.CPU.server(config(0, 2), models, Map.of());
        onCpu.stop(1);
        assertEquals("backend: cpu (requested)", onCpu.backend().line());
    }

    /** A forward that records the row count of each batch it is given. */
    static final class Recording implements ModelForward {
        final ModelForward inner;
        final List<Integer> rows = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        Recording(ModelForward inner) {
            this.inner = inner;
        }

        @Override
        public Tensor forward(Tensor x) {
            rows.add(x.dim(0));
            return inner.forward(x);
        }

        @Override
        public int minRows() {
            return inner.minRows();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * The batcher pads a batch with zero rows only for the CPU's forward (kernels.Sgemm's one- and two-row path): a
     * one-row request reaches it as 3 rows, and the GPU's forward as the 1 row it is; both answer it.
     */
    @Test
    void onlyTheCpuForwardGetsPaddingRows() throws Exception {
        int in = model.spec().inputs(), k = model.spec().outputs();
        Recording cpu = new Recording(new ServingForward(model.network()));
        Recording gpu = new Recording(new GpuForward<>(model.network(), 8, new HostKernels()));
        assertEquals(3, cpu.minRows());
        assertEquals(1, gpu.minRows());
        float[][] answers = new float[2][];
        Recording[] forwards = {cpu, gpu};
        for (int f = 0; f < 2; f++) {
            Batcher b = new Batcher("pad" + f, model, 8, 0, 4, new java.util.concurrent.atomic.AtomicInteger(), forwards[f]);
            try {
                ServedModel served = new ServedModel("pad" + f, "", model, b);
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                Job job = new Job(j -> done.countDown());
                float[] x = job.room(in);
                for (int j = 0; j < in; j++) x[j] = 0.25f * (j % 5);
                job.prepare(served, Job.PREDICTIONS, 1);
                assertTrue(b.offer(job));
                b.flush();
                assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(null, job.failure);
                answers[f] = java.util.Arrays.copyOf(job.probabilities, k);
            } finally {
                b.stop();
            }
        }
        assertEquals(List.of(3), cpu.rows, "the CPU's forward gets the row and two zero rows");
        assertEquals(List.of(1), gpu.rows, "the GPU's forward gets the one row");
        for (int c = 0; c < k; c++) assertEquals(answers[0][c], answers[1][c], 1e-4f, "class " + c);
    }

    static String zeros(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "0" : ",0");
        return sb.append(']').toString();
    }

    /**
     * A server on {@code backend} and one on the CPU, asked the same: 5 rows of the digits' test set in one request, then
     * 40 (more than the 32-row graph: two pieces); every probability within the bound of its row.
     */
    static void serversAgree(SavedModel model, ServingBackend backend) throws Exception {
        Map<String, SavedModel> models = Map.of("digits", model);
        Server.Config config = new Server.Config("127.0.0.1", 0, 2, 32, 2_000_000, 1 << 20, 64, 10);
        Server cpu = new Server(config, models, Map.of());
        Server gpu = new Server(config, models, Map.of(), backend);
        cpu.start();
        gpu.start();
        HttpClient client = HttpClient.newHttpClient();
        try {
            Tensor x = Digits.split().test().features();
            int in = x.dim(1), k = model.spec().outputs();
            // each row also normalized here, as the batcher does, for its bound
            for (int[] span : new int[][] {{0, 5}, {5, 45}}) {
                StringBuilder body = new StringBuilder("{\"inputs\":[");
                for (int r = span[0]; r < span[1]; r++) {
                    body.append(r == span[0] ? "[" : ",[");
                    for (int j = 0; j < in; j++) body.append(j == 0 ? "" : ",").append(x.get(r, j));
                    body.append(']');
                }
                byte[] json = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> a = post(client, cpu, json), b = post(client, gpu, json);
                assertEquals(200, a.statusCode(), a.body());
                assertEquals(200, b.statusCode(), b.body());
                List<?> pa = (List<?>) ((Map<?, ?>) Json.parse(a.body())).get("predictions");
                List<?> pb = (List<?>) ((Map<?, ?>) Json.parse(b.body())).get("predictions");
                for (int r = span[0]; r < span[1]; r++) {
                    float[] want = ServerTest.floats(((Map<?, ?>) pa.get(r - span[0])).get("probabilities"));
                    float[] got = ServerTest.floats(((Map<?, ?>) pb.get(r - span[0])).get("probabilities"));
                    float[] row = new float[in];
                    for (int j = 0; j < in; j++) row[j] = x.get(r, j);
                    model.normalization().apply(row, 0);
                    double[] p = new double[k];
                    for (int c = 0; c < k; c++) p[c] = want[c];
                    double[] bound = ForwardBound.probabilities(model.spec(), model.network(), row, 0, p);
                    for (int c = 0; c < k; c++) {
                        if (!(Math.abs(got[c] - want[c]) <= bound[c])) {
                            fail("row " + r + " class " + c + ": GPU server " + got[c] + ", CPU server " + want[c] + ", bound " + bound[c]);
                        }
                    }
                }
            }
        } finally {
            cpu.stop(5);
            gpu.stop(5);
        }
    }

    static HttpResponse<String> post(HttpClient client, Server s, byte[] json) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(s.url() + "predictions/digits")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
