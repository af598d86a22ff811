package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule for the hot path, measured: a {@code POST /predictions/{name}} with a JSON row
 * allocates nothing on the server's threads (the loop that reads, frames and parses it, the batcher
 * that runs it and writes the answer) once the JIT has compiled them. JDK's per-thread allocation
 * counters (com.sun.management.ThreadMXBean) over 2,000 requests on one keep-alive connection.
 */
class HotPathAllocationTest {
    @TempDir
    Path dir;

    @Test
    void aPredictionAllocatesNothingOnTheServersThreads() throws Exception {
        // pom.xml's wide-tile execution forces the AVX-512 micro-kernel, which the Vector API emulates (allocating) elsewhere
        Assumptions.assumeTrue(System.getProperty("nabla.gemm.tile") == null, "a forced GEMM tile: the kernel may be emulated");
        HttpProtocolTest.startIn(dir);
        Server server = HttpProtocolTest.server;
        try (Socket s = HttpProtocolTest.socket(server)) {
            String request = HttpProtocolTest.post(HttpProtocolTest.body);
            Thread loop = server.loops()[0].thread;
            Thread batcher = server.models().get("digits").batcher().thread();
            var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            // warm-up: until the JIT has compiled the path (interpreted code boxes VarHandle and vector values), at most 20,000 requests
            for (int w = 0; w < 40; w++) {
                long b0 = allocated(mx, loop, batcher);
                for (int i = 0; i < 500; i++) assertEquals(200, HttpProtocolTest.exchange(s, request).status());
                if (allocated(mx, loop, batcher) - b0 < 1_000) break;
            }
            int n = 2_000;
            long before = allocated(mx, loop, batcher);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) assertEquals(HttpProtocolTest.answer, HttpProtocolTest.exchange(s, request).body());
            long bytes = allocated(mx, loop, batcher) - before;
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("HotPathAllocationTest: %d bytes on the loop and batcher threads for %d requests in %.1f s%n", bytes, n, seconds);
            // One object per request would be at least 16 B x 2,000 = 32,000 B. What may show without one: the answers' Date
            // line, formatted once a second (a few hundred bytes), and the odd deoptimized frame boxing a value while the JIT
            // recompiles on a loaded machine: an eighth of that, 4,000 B, plus 1,000 B a second (measured: 0-900 B in 0.3-0.8 s).
            assertTrue(bytes < 4_000 + 1_000 * seconds, bytes + " bytes allocated for " + n + " requests in " + seconds + " s");
        } finally {
            HttpProtocolTest.stop();
        }
    }

    private static long allocated(com.sun.management.ThreadMXBean mx, Thread... threads) {
        long sum = 0;
        for (Thread t : threads) sum += mx.getThreadAllocatedBytes(t.getId());
        return sum;
    }
}
