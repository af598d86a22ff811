package app.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tensor.io.Json;

/**
 * Headless Chromium driven over the Chrome DevTools Protocol with the JDK's own WebSocket client
 * (no driver to install): navigate, evaluate JavaScript, send mouse events, set a file input, take a
 * screenshot. Public for the pages of other packages (nabla clean's).
 */
public final class Chromium implements AutoCloseable {
    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();

    /** The browser binary, or null when none is installed. */
    public static String binary() {
        for (String b : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (Files.isExecutable(Path.of(b))) return b;
        }
        return null;
    }

    public Chromium(String binary, Path profile) throws Exception {
        process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                "--window-size=900,600", "--user-data-dir=" + profile, "about:blank").redirectErrorStream(true).start();
        BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ws = null;
        for (String line; (line = log.readLine()) != null; ) {
            if (line.contains("DevTools listening on ")) {
                ws = line.substring(line.indexOf("ws://"));
                break;
            }
        }
        if (ws == null) throw new IOException("chromium did not start its DevTools endpoint");
        Thread drain = new Thread(() -> {
            try {
                while (log.readLine() != null) { }
            } catch (IOException ignored) {
                // the browser exited
            }
        });
        drain.setDaemon(true);
        drain.start();
        URI base = URI.create(ws);
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://" + base.getAuthority() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String page = null;
        for (Object t : (List<?>) Json.parse(list)) {
            Map<?, ?> m = (Map<?, ?>) t;
            if ("page".equals(m.get("type"))) page = (String) m.get("webSocketDebuggerUrl");
        }
        if (page == null) throw new IOException("chromium has no page target: " + list);
        socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new Listener()).get(10, TimeUnit.SECONDS);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        @SuppressWarnings("unchecked")
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    Map<String, Object> msg = (Map<String, Object>) Json.parse(partial.toString());
                    Object id = msg.get("id");
                    if (id != null) {
                        CompletableFuture<Map<String, Object>> f = pending.remove(((Number) id).intValue());
                        if (f != null) f.complete(msg);
                    }
                } catch (Json.ParseException e) {
                    throw new IllegalStateException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    /** Sends a CDP command and returns its "result"; an "error" answer throws. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        pending.put(id, f);
        Map<String, Object> msg = new LinkedHashMap<>();
        msg.put("id", id);
        msg.put("method", method);
        msg.put("params", params);
        socket.sendText(Json.write(msg), true).get(10, TimeUnit.SECONDS);
        Map<String, Object> answer = f.get(30, TimeUnit.SECONDS);
        if (answer.containsKey("error")) throw new IOException(method + ": " + answer.get("error"));
        return (Map<String, Object>) answer.get("result");
    }

    /** The value of a JavaScript expression (awaited when it is a promise). */
    public Object eval(String expression) throws Exception {
        Map<String, Object> r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.containsKey("exceptionDetails")) throw new IOException(expression + ": " + r.get("exceptionDetails"));
        return ((Map<?, ?>) r.get("result")).get("value");
    }

    /** Polls {@code expression} until it is true, for at most {@code seconds}. */
    public void waitFor(String expression, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (!Boolean.TRUE.equals(eval(expression))) {
            if (System.nanoTime() > end) throw new AssertionError("waited " + seconds + " s for " + expression);
            Thread.sleep(50);
        }
    }

    public void mouse(String type, double x, double y) throws Exception {
        call("Input.dispatchMouseEvent", Map.of("type", type, "x", x, "y", y, "button", "left", "buttons", type.equals("mouseReleased") ? 0 : 1,
                "clickCount", 1));
    }

    /** Presses and releases a key, named as KeyboardEvent.key names it: "d", "7", "ArrowRight". */
    public void key(String key) throws Exception {
        Map<String, Object> down = new LinkedHashMap<>(Map.of("type", "keyDown", "key", key));
        if (key.length() == 1) down.put("text", key);
        call("Input.dispatchKeyEvent", down);
        call("Input.dispatchKeyEvent", Map.of("type", "keyUp", "key", key));
    }

    /** A left click at (x, y), in CSS pixels of the viewport. */
    public void click(double x, double y) throws Exception {
        mouse("mousePressed", x, y);
        mouse("mouseReleased", x, y);
    }

    public byte[] screenshot() throws Exception {
        return java.util.Base64.getDecoder().decode((String) call("Page.captureScreenshot", Map.of("format", "png")).get("data"));
    }

    /**
     * Ends the browser and the processes it started (renderer, network and storage services,
     * crash handler): those outlive the main one for a moment and may still be writing into the
     * profile when a test's temporary folder is deleted.
     */
    @Override
    public void close() {
        if (socket != null) socket.abort();
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
            for (ProcessHandle c : children) {
                c.destroy();
                try {
                    c.onExit().get(5, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    c.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
