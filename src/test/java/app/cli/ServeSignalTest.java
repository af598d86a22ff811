package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cuda.Gpu;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla serve} as its own process (the JVM ./nabla runs: same main class, modules and GC;
 * not the script itself, which would rebuild the jar in the middle of mvn verify): SIGTERM while
 * requests are in flight, some of them half-sent, and under load. Every request begun before the
 * signal is answered 200 with its prediction, those begun after get 503, and the process exits 0.
 */
class ServeSignalTest {
    @TempDir
    Path dir;

    @Test
    void sigtermAnswersTheRequestsInFlightAndExitsZero() throws Exception {
        Path ck = dir.resolve("digits.safetensors");
        TrainCommandTest.run(0, "train", "--epochs", "1", "--checkpoint", ck.toString(), "--out", dir.toString());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC",
                "-cp", System.getProperty("java.class.path"), "app.cli.Main", "serve", "--checkpoint", "digits=" + ck, "--port", "0",
                "--request-timeout-s", "20").redirectErrorStream(true).start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        StringBuilder out = new StringBuilder();
        try {
            int port = -1;
            while (port < 0) {
                String l = lines.poll(60, TimeUnit.SECONDS);
                if (l == null) throw new AssertionError("nabla serve did not start: " + out);
                out.append(l).append('\n');
                Matcher m = Pattern.compile("nabla serve: http://127\\.0\\.0\\.1:(\\d+)/").matcher(l);
                if (m.find()) port = Integer.parseInt(m.group(1));
            }
            String body = "{\"inputs\":[[" + "0.25,".repeat(63) + "1]]}";
            String request = "POST /predictions/digits HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body;
            String answer;
            try (Socket s = socket(port)) {
                answer = exchange(s, request)[1];
            }
            // requests in flight at the signal: 8 sent up to the middle of their body, 8 up to the middle of their head
            List<Socket> halfBody = new ArrayList<>(), halfHead = new ArrayList<>();
            int cut = request.length() - body.length() / 2;
            for (int i = 0; i < 8; i++) halfBody.add(send(socket(port), request.substring(0, cut)));
            for (int i = 0; i < 8; i++) halfHead.add(send(socket(port), request.substring(0, 20)));
            Socket probe = socket(port); // an open connection on which to see the stop begin
            // and load: four clients that ask again as soon as they are answered
            AtomicBoolean go = new AtomicBoolean(true);
            Set<String> statuses = ConcurrentHashMap.newKeySet();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int at = port;
                Thread th = new Thread(() -> {
                    try (Socket s = socket(at)) {
                        while (go.get()) {
                            String[] r = exchange(s, request);
                            statuses.add(r[0]);
                            if (!r[0].equals("200")) return; // a 503 closes the connection
                        }
                    } catch (IOException e) {
                        // refused or closed once the server stops: not an answer
                    }
                });
                th.start();
                load.add(th);
            }
            Thread.sleep(300);
            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its stdout)
            while (true) { // until a request begun now is refused
                String[] r = exchange(probe, "GET /v2/health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
                if (r[0].equals("503")) {
                    assertTrue(r[1].contains("stopping"), r[1]);
                    break;
                }
                Thread.sleep(10);
            }
            for (Socket s : halfBody) send(s, request.substring(cut));
            for (Socket s : halfHead) send(s, request.substring(20));
            for (Socket s : halfBody) assertEquals("200 " + answer, String.join(" ", read(s.getInputStream())), "a request half-sent at SIGTERM");
            for (Socket s : halfHead) assertEquals("200 " + answer, String.join(" ", read(s.getInputStream())), "a request half-sent at SIGTERM");
            go.set(false);
            for (Thread th : load) th.join(10_000);
            assertTrue(Set.of("200", "503").containsAll(statuses), "answers under load while stopping: " + statuses);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "nabla serve did not exit after SIGTERM");
            reader.join(5_000);
            for (String l; (l = lines.poll()) != null; ) out.append(l).append('\n');
            assertEquals(0, p.exitValue(), out.toString());
            assertTrue(out.toString().contains("nabla serve: stopped"), out.toString());
            // --backend auto's one line comes before the URL: where the batches run, and why (no GPU: the probe's reason)
            String first = out.toString().lines().filter(l -> l.startsWith("backend: ") || l.startsWith("nabla serve: ")).findFirst().orElse("");
            assertTrue(Gpu.available() ? first.startsWith("backend: cuda (") : first.equals("backend: cpu (" + Gpu.probe().describe() + ")"), out.toString());
        } finally {
            p.destroyForcibly();
        }
    }

    private static Socket socket(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(30_000);
        return s;
    }

    private static Socket send(Socket s, String text) throws IOException {
        OutputStream o = s.getOutputStream();
        o.write(text.getBytes(StandardCharsets.UTF_8));
        o.flush();
        return s;
    }

    private static String[] exchange(Socket s, String request) throws IOException {
        return read(send(s, request).getInputStream());
    }

    /** {status, body} of one answer with a Content-Length. */
    private static String[] read(InputStream in) throws IOException {
        String status = line(in).split(" ")[1];
        int length = 0;
        for (String l; !(l = line(in)).isEmpty(); ) {
            if (l.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(l.substring(15).trim());
        }
        return new String[] {status, new String(in.readNBytes(length), StandardCharsets.UTF_8)};
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("closed in a head");
            if (c != '\r') sb.append((char) c);
        }
        return sb.toString();
    }
}
