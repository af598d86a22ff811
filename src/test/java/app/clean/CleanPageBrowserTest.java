package app.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.Main;
import app.serve.Chromium;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nabla clean} as a user runs it, in its own JVM, and its page in a real browser (headless
 * Chromium): relabel one example with a digit key, delete the next with 'd', keep a third with a
 * click on its button; the overrides file says so; SIGTERM stops the server with exit 0. A screenshot
 * stays in target/clean-page.png. Skipped, with one line, where Chromium is not installed.
 */
class CleanPageBrowserTest {
    @TempDir
    Path dir;

    @Test
    void relabelDeleteAndKeepOnThePage() throws Exception {
        String chromium = Chromium.binary();
        if (chromium == null) System.out.println("CleanPageBrowserTest: skipped, no chromium (apt-get install chromium; .ci/run does)");
        Assumptions.assumeTrue(chromium != null, "no chromium installed");
        Path ck = dir.resolve("digits.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"train", "--epochs", "3", "--checkpoint", ck.toString(), "--out", dir.toString()}, p, p), log::toString);
        Path overrides = dir.resolve("decisions.csv");
        Process clean = nabla("clean", "--checkpoint", ck.toString(), "--port", "0", "--folds", "2", "--epochs", "2", "--threads", "1",
                "--label-overrides", overrides.toString());
        StringBuilder said = new StringBuilder();
        try (Chromium browser = new Chromium(chromium, dir.resolve("profile"))) {
            String url = url(clean, said);
            browser.call("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 900, "deviceScaleFactor", 1, "mobile", false));
            browser.call("Page.enable", Map.of());
            browser.call("Page.navigate", Map.of("url", url));
            browser.waitFor("document.querySelectorAll('.card').length === 24 && [...document.querySelectorAll('.card img')].every(i => i.complete && i.naturalWidth === 8)", 20);
            assertTrue(((String) browser.eval("document.getElementById('about').textContent")).contains("train: 1438 examples"));
            String[] first = card(browser, 0), second = card(browser, 1), third = card(browser, 2);
            String after = (String) browser.eval("fetch('/api/issues?status=todo&offset=24&size=1').then(r => r.json())"
                    + ".then(j => j.issues[0].split + ' ' + j.issues[0].example)");
            // the first card is selected: a digit key relabels it to that digit, and the selection moves on
            String to = Integer.toString((Integer.parseInt(first[2]) + 1) % 10);
            browser.key(to);
            browser.waitFor("document.querySelector('.card[data-i=\"0\"]').classList.contains('relabel')", 10);
            browser.waitFor("document.querySelector('.card[data-i=\"1\"]').classList.contains('selected')", 10);
            browser.key("d");
            browser.waitFor("document.querySelector('.card[data-i=\"1\"]').classList.contains('delete')", 10);
            // a click on the third card's Keep button
            @SuppressWarnings("unchecked")
            List<Number> keep = (List<Number>) browser.eval("(() => { const r = document.querySelector('.card[data-i=\"2\"] .actions button')"
                    + ".getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()");
            browser.click(keep.get(0).doubleValue(), keep.get(1).doubleValue());
            browser.waitFor("document.querySelector('.card[data-i=\"2\"]').classList.contains('keep')", 10);
            browser.key("ArrowRight");
            browser.waitFor("document.querySelector('.card[data-i=\"4\"]').classList.contains('selected')", 10);
            Thread.sleep(1800); // the toast fades out after 1.5 s
            Path shot = Path.of("target", "clean-page.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, browser.screenshot());

            List<String> lines = Files.readAllLines(overrides);
            assertEquals(List.of(LabelOverrides.HEADER,
                    "digits/" + first[0] + "," + first[1] + "," + first[2] + "," + to,
                    "digits/" + second[0] + "," + second[1] + "," + second[2] + ",delete",
                    "digits/" + third[0] + "," + third[1] + "," + third[2] + "," + third[2]), lines);
            assertTrue(((String) browser.eval("document.getElementById('saved').textContent")).startsWith("3 decided"));
            // the next page of those to review starts after the 24 shown, though 3 of them have left the list
            browser.key("]");
            browser.waitFor("state.issues.length === 24 && state.issues[0].split + ' ' + state.issues[0].example === '" + after + "'", 10);
            assertEquals("22–45 of 1794", browser.eval("document.getElementById('count').textContent"));
            System.out.println("CleanPageBrowserTest: relabelled, deleted and kept on the page; " + overrides + " says so; screenshot "
                    + shot.toAbsolutePath());
        } finally {
            clean.destroy(); // SIGTERM: the server stops and the command exits 0
        }
        assertTrue(clean.waitFor(20, TimeUnit.SECONDS), "clean did not stop on SIGTERM");
        assertEquals(0, clean.exitValue(), said.toString());
    }

    /** The split, example and given label the page shows on card i. */
    @SuppressWarnings("unchecked")
    private static String[] card(Chromium browser, int i) throws Exception {
        List<String> v = (List<String>) browser.eval("(() => { const x = state.issues[" + i + "]; return [x.split, x.example, x.given]; })()");
        return v.toArray(String[]::new);
    }

    /** {@code ./nabla ARGS} in a JVM of its own (this one's classpath and modules), stdout and stderr together. */
    static Process nabla(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (a.startsWith("--add-modules")) cmd.add(a);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "app.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Reads the command's output until it says where it serves. */
    private static String url(Process clean, StringBuilder said) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(clean.getInputStream(), StandardCharsets.UTF_8));
        Pattern serving = Pattern.compile("^nabla clean: (http://\\S+) ");
        long end = System.nanoTime() + 120_000_000_000L;
        for (String line; (line = out.readLine()) != null; ) {
            said.append(line).append('\n');
            Matcher m = serving.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        for (String l; (l = out.readLine()) != null; ) {
                            synchronized (said) {
                                said.append(l).append('\n');
                            }
                        }
                    } catch (java.io.IOException ignored) {
                        // the process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
            if (System.nanoTime() > end) break;
        }
        throw new AssertionError("clean did not serve: " + said);
    }
}
