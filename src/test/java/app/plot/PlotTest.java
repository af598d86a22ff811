package app.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import data.Dataset;
import data.Digits;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotTest {
    @TempDir Path dir;

    private static final int BLUE = 0x1f77b4;
    private static final int ORANGE = 0xff7f0e;
    private static final int RED = 0xd62728;

    private static BufferedImage readPng(Path f) throws IOException {
        byte[] head = Arrays8.first(f);
        // The PNG signature: 0x89 'P' 'N' 'G' CR LF 0x1a LF.
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, head);
        BufferedImage img = ImageIO.read(f.toFile());
        assertTrue(img != null, "ImageIO reads it back");
        return img;
    }

    private static final class Arrays8 {
        static byte[] first(Path f) throws IOException {
            return java.util.Arrays.copyOf(Files.readAllBytes(f), 8);
        }
    }

    private static int rgb(BufferedImage img, double x, double y) {
        return img.getRGB((int) Math.round(x), (int) Math.round(y)) & 0xffffff;
    }

    /** True if {@code actual} = α·color + (1 − α)·white for some α ≥ minAlpha (±2 per channel for rounding). */
    private static boolean covers(int actual, int color, double minAlpha) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int a = (actual >> shift) & 0xff;
            int c = (color >> shift) & 0xff;
            if (a < c - 2 || a > c + (1 - minAlpha) * (255 - c) + 2) return false;
        }
        return true;
    }

    @Test
    void niceNumbers() {
        assertEquals(1.0, NiceScale.niceNum(0.9, true));
        assertEquals(2.0, NiceScale.niceNum(2.2, true));
        assertEquals(5.0, NiceScale.niceNum(4.1, true));
        assertEquals(5.0, NiceScale.niceNum(4.1, false));
        assertEquals(0.02, NiceScale.niceNum(0.0151, false), 1e-15);
        NiceScale.Ticks t = NiceScale.linear(0.03, 2.71, 6);
        assertEquals(0.5, t.step());
        assertArrayEquals(new double[] {0, 0.5, 1, 1.5, 2, 2.5, 3}, t.values());
        NiceScale.Ticks small = NiceScale.linear(0.1, 0.35, 6);
        assertArrayEquals(new double[] {0.1, 0.15, 0.2, 0.25, 0.3, 0.35}, small.values(), 0);
        assertEquals("0.15", NiceScale.label(0.15, small.step()));
        assertEquals("2", NiceScale.label(2, 0.5).substring(0, 1));
        NiceScale.Ticks log = NiceScale.log(3e-5, 2.0);
        assertArrayEquals(new double[] {1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10}, log.values(), 1e-18);
        NiceScale.Ticks fine = NiceScale.log(0.002, 0.3);
        assertArrayEquals(new double[] {1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1}, fine.values(), 1e-15);
        assertEquals("3e-4", NiceScale.scientific(3e-4));
        assertEquals("2.5e-3", NiceScale.scientific(2.5e-3));
    }

    @Test
    void lossCurvesAreDrawnWithBothSeries() throws IOException {
        double[] train = {2.3, 1.1, 0.7, 0.52, 0.45, 0.41, 0.38, 0.36};
        double[] val = {2.0, 1.0, 0.75, 0.6, 0.55, 0.54, 0.55, 0.56};
        Path f = dir.resolve("out/loss.png");
        Plots.lossCurves(f, train, val);
        BufferedImage img = readPng(f);
        assertEquals(Plots.WIDTH, img.getWidth());
        assertEquals(Plots.HEIGHT, img.getHeight());
        // Render the same chart again to learn where its points fall.
        LineChart c = Plots.lossCurves(train, val);
        c.render(Plots.WIDTH, Plots.HEIGHT);
        // Each point has a filled 6-pixel dot in its series colour at its centre.
        for (int i = 0; i < train.length; i++) {
            assertEquals(BLUE, rgb(img, c.px(i + 1), c.py(train[i])), "train point " + i);
        }
        assertEquals(ORANGE, rgb(img, c.px(8), c.py(val[7])), "last validation point");
        // Half way between two train points the line passes through. The 2-pixel antialiased stroke
        // covers the pixel nearest its centre line by well over half (a pixel centre within 0.5 px of
        // the centre of a 2 px band), so that pixel is at least 60% the series colour over white.
        int mid = rgb(img, (c.px(1) + c.px(2)) / 2, (c.py(train[0]) + c.py(train[1])) / 2);
        assertTrue(covers(mid, BLUE, 0.6), String.format("%06x is not mostly %06x", mid, BLUE));
        assertEquals(0xffffff, rgb(img, 2, 2), "background");
        assertEquals(Png.INK.getRGB() & 0xffffff, rgb(img, c.left, (c.top + c.bottom) / 2.0), "the y axis");
    }

    @Test
    void lrFinderHasALogAxisAndAMarker() throws IOException {
        int n = 100;
        double[] lr = new double[n];
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) {
            lr[i] = 1e-5 * Math.pow(10, 6.0 * i / (n - 1)); // 1e-5 .. 10
            double t = Math.log10(lr[i]);
            loss[i] = t < -1 ? 2.3 - 0.4 * (t + 5) / 4 * 4 : 0.7 + Math.pow(10, t + 1) * 3; // falls, then explodes
        }
        loss[n - 1] = Double.NaN; // a diverged step is skipped, not drawn
        Path f = dir.resolve("lr.png");
        Plots.lrFinder(f, lr, loss, 3e-2);
        BufferedImage img = readPng(f);
        LineChart c = Plots.lrFinder(lr, loss, 3e-2);
        c.render(Plots.WIDTH, Plots.HEIGHT);
        // log axis: a decade is the same width anywhere
        assertEquals(c.px(1e-3) - c.px(1e-4), c.px(1) - c.px(1e-1), 1e-9);
        // the marker's dashes: red pixels in the marker's column
        int red = 0;
        for (int y = c.top; y < c.bottom; y++) if (rgb(img, c.px(3e-2), y) == RED) red++;
        assertTrue(red > 50, "marker column has " + red + " red pixels");
        assertEquals(BLUE, rgb(img, c.px(lr[10]), c.py(loss[10])));
    }

    @Test
    void imageGridShowsImagesAndCaptions() throws IOException {
        Dataset digits = Digits.load();
        int[] idx = {0, 1, 2, 3, 4};
        List<String> captions = new ArrayList<>();
        for (int i : idx) captions.add("true: " + digits.labels()[i] + " / pred: 8 / p=0.93");
        Path f = dir.resolve("grid.png");
        ImageGrid.write(f, digits, idx, captions, 3);
        BufferedImage img = readPng(f);
        // 8x8 digits are enlarged 12x to 96 px; two rows of three cells.
        assertTrue(img.getWidth() >= 3 * 96 && img.getHeight() >= 2 * 96, img.getWidth() + "x" + img.getHeight());
        // Image 0 pixel (row 0, col 2) is 5/16 → 80 gray, drawn as a 12x12 block from the cell's corner.
        int cellW = (img.getWidth() - 8) / 3;
        int ix = 8 + (cellW - 8 - 96) / 2;
        int v = Math.round(5f / 16f * 255f);
        assertEquals((v << 16) | (v << 8) | v, rgb(img, ix + 2 * 12 + 6, 8 + 6));
        assertEquals(0, rgb(img, ix + 6, 8 + 6), "pixel (0, 0) of digit 0 is black");
        // The caption lines are text: dark pixels below the image.
        int dark = 0;
        for (int y = 8 + 96; y < 8 + 96 + 40; y++) {
            for (int x = 8; x < 8 + cellW; x++) if ((rgb(img, x, y) & 0xff) < 128) dark++;
        }
        assertTrue(dark > 30, dark + " dark caption pixels");
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(digits, idx, captions.subList(0, 2), 3));
    }
}
