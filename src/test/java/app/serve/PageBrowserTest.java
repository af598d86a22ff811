package app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.Main;
import app.train.SavedModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in a real browser (headless Chromium): draw strokes on the canvas and see a
 * prediction appear, open an image file and see it predicted, keep a screenshot in
 * target/serve-page.png. Skipped, with one line, where Chromium is not installed.
 */
class PageBrowserTest {
    @TempDir
    Path dir;

    @Test
    void drawAndOpenAnImage() throws Exception {
        String chromium = Chromium.binary();
        if (chromium == null) System.out.println("PageBrowserTest: skipped, no chromium (apt-get install chromium; .ci/run does)");
        Assumptions.assumeTrue(chromium != null, "no chromium installed");
        Path ck = dir.resolve("digits.safetensors");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.run(new String[] {"train", "--epochs", "5", "--checkpoint", ck.toString(), "--out", dir.toString()}, p, p), log::toString);
        Server server = new Server(new Server.Config("127.0.0.1", 0, 16, 32, 2_000_000, 1 << 20, 64, 2),
                Map.of("digits", SavedModel.load(ck)), Map.of("digits", ck.toString()));
        server.start();
        try (Chromium browser = new Chromium(chromium, dir.resolve("profile"))) {
            browser.call("Page.enable", Map.of());
            browser.call("Page.navigate", Map.of("url", server.url()));
            browser.waitFor("document.getElementById('asks') && document.getElementById('asks').textContent.includes('digits')", 20);
            assertTrue(((String) browser.eval("document.getElementById('asks').textContent")).contains("8×8"));
            // a "1": one vertical stroke down the middle of the pad
            @SuppressWarnings("unchecked")
            List<Number> box = (List<Number>) browser.eval("(() => { const r = document.getElementById('pad').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()");
            double x = box.get(0).doubleValue() + box.get(2).doubleValue() / 2;
            double top = box.get(1).doubleValue() + box.get(3).doubleValue() * 0.15;
            double h = box.get(3).doubleValue() * 0.7;
            browser.mouse("mousePressed", x, top);
            for (int i = 1; i <= 10; i++) browser.mouse("mouseMoved", x, top + h * i / 10);
            browser.mouse("mouseReleased", x, top + h);
            browser.waitFor("document.querySelectorAll('#bars .bar').length === 5 && document.getElementById('answer').textContent !== '–'", 20);
            String drawn = (String) browser.eval("document.getElementById('answer').textContent");
            Thread.sleep(300); // the bars' width transition
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "serve-page-drawn.png"), browser.screenshot());
            assertEquals("", browser.eval("document.getElementById('error').textContent"));
            // open an image file: a filled square ("0"-ish blob) through the file input, as a drop would
            BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            var g = img.createGraphics();
            g.setColor(java.awt.Color.WHITE);
            g.setStroke(new java.awt.BasicStroke(9));
            g.drawOval(14, 6, 36, 52);
            g.dispose();
            Path png = dir.resolve("zero.png");
            ImageIO.write(img, "png", png.toFile());
            long before = server.metrics().requests(Metrics.Endpoint.PREDICTIONS, 200);
            Map<String, Object> doc = browser.call("DOM.getDocument", Map.of());
            int root = ((Number) ((Map<?, ?>) doc.get("root")).get("nodeId")).intValue();
            int input = ((Number) browser.call("DOM.querySelector", Map.of("nodeId", root, "selector", "#file")).get("nodeId")).intValue();
            browser.call("DOM.setFileInputFiles", Map.of("nodeId", input, "files", List.of(png.toString())));
            long t0 = System.nanoTime();
            while (server.metrics().requests(Metrics.Endpoint.PREDICTIONS, 200) == before) {
                if (System.nanoTime() - t0 > 20e9) throw new AssertionError("the opened image was not predicted");
                Thread.sleep(50);
            }
            browser.waitFor("document.getElementById('answer').textContent !== '–'", 10);
            Thread.sleep(300); // the bars' width transition
            Path shot = Path.of("target", "serve-page.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, browser.screenshot());
            System.out.println("PageBrowserTest: drew a stroke, the page answered " + drawn + "; opened an image, it answered "
                    + browser.eval("document.getElementById('answer').textContent") + "; screenshot " + shot.toAbsolutePath());
        } finally {
            server.stop(5);
        }
    }
}
