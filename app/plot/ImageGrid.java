package app.plot;

import data.Dataset;
import data.ImageShape;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A grid of dataset images with caption lines under each, e.g. for the top losses:
 * {@code "true: 3 / pred: 8 / p=0.93"}. Pixels in [0, 1] (clamped), gray or RGB (CHW), enlarged by
 * nearest neighbour so small images stay crisp.
 */
public final class ImageGrid {
    private static final int PAD = 8;

    private ImageGrid() {}

    /** The images {@code indexes} of {@code data}, {@code columns} a row, each with its caption (one string, lines split at " / "). */
    public static void write(Path png, Dataset data, int[] indexes, List<String> captions, int columns) throws IOException {
        Png.write(render(data, indexes, captions, columns), png);
    }

    public static BufferedImage render(Dataset data, int[] indexes, List<String> captions, int columns) {
        ImageShape shape = data.imageShape().orElseThrow(
                () -> new IllegalArgumentException(data.name() + " has no image shape: nothing to draw"));
        if (captions.size() != indexes.length) {
            throw new IllegalArgumentException(indexes.length + " images but " + captions.size() + " captions");
        }
        if (columns < 1) throw new IllegalArgumentException("columns must be positive, got " + columns);
        int scale = Math.max(1, 96 / Math.max(shape.height(), shape.width()));
        int imgW = shape.width() * scale;
        int imgH = shape.height() * scale;

        // Measure the captions with a scratch graphics to size the cells.
        BufferedImage probe = Png.canvas(1, 1);
        Graphics2D pg = Png.graphics(probe);
        FontMetrics fm = pg.getFontMetrics();
        int maxLines = 0;
        int textW = 0;
        for (String c : captions) {
            String[] lines = c.split(" / ");
            maxLines = Math.max(maxLines, lines.length);
            for (String l : lines) textW = Math.max(textW, fm.stringWidth(l));
        }
        pg.dispose();
        int cellW = Math.max(imgW, textW) + PAD;
        int cellH = imgH + maxLines * fm.getHeight() + PAD;
        int rows = Math.max(1, (indexes.length + columns - 1) / columns);
        int cols = Math.max(1, Math.min(columns, indexes.length));

        BufferedImage img = Png.canvas(cols * cellW + PAD, rows * cellH + PAD);
        Graphics2D g = Png.graphics(img);
        float[] x = data.features().data();
        int base = data.features().offset();
        int d = data.dim();
        int plane = shape.height() * shape.width();
        for (int k = 0; k < indexes.length; k++) {
            int cx = PAD + (k % columns) * cellW;
            int cy = PAD + (k / columns) * cellH;
            int ix = cx + (cellW - PAD - imgW) / 2;
            int off = base + indexes[k] * d;
            for (int r = 0; r < imgH; r++) {
                for (int c = 0; c < imgW; c++) {
                    int p = (r / scale) * shape.width() + c / scale;
                    int red, green, blue;
                    if (shape.channels() >= 3) {
                        red = byteOf(x[off + p]);
                        green = byteOf(x[off + plane + p]);
                        blue = byteOf(x[off + 2 * plane + p]);
                    } else {
                        red = green = blue = byteOf(x[off + p]);
                    }
                    img.setRGB(ix + c, cy + r, (red << 16) | (green << 8) | blue);
                }
            }
            g.setColor(Png.INK);
            String[] lines = captions.get(k).split(" / ");
            for (int l = 0; l < lines.length; l++) {
                int w = fm.stringWidth(lines[l]);
                g.drawString(lines[l], cx + (cellW - PAD - w) / 2f, cy + imgH + fm.getAscent() + l * fm.getHeight() + 2);
            }
        }
        g.dispose();
        return img;
    }

    /** [0, 1] → 0..255, clamped (a normalized or augmented value may stray outside). */
    private static int byteOf(float v) {
        return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
    }
}
