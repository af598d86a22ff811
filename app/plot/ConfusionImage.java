package app.plot;

import app.metrics.ConfusionMatrix;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A confusion matrix as a heat map: one cell per (true class, predicted class), shaded by the share
 * of the true class's examples it holds (its row's recall for the diagonal), with the count written
 * in it; true classes down the side, predicted ones across the top.
 */
public final class ConfusionImage {
    private static final int CELL = 44;

    private ConfusionImage() {}

    public static BufferedImage render(ConfusionMatrix cm, List<String> names) {
        int k = cm.classes();
        BufferedImage probe = Png.canvas(1, 1);
        FontMetrics fm = Png.graphics(probe).getFontMetrics();
        int label = 0;
        for (int c = 0; c < k; c++) label = Math.max(label, fm.stringWidth(name(names, c)));
        int left = Math.max(label, fm.stringWidth("true ↓")) + 16, top = 28;
        BufferedImage img = Png.canvas(left + k * CELL + 8, top + k * CELL + 24);
        Graphics2D g = Png.graphics(img);
        g.setColor(Png.INK);
        g.drawString("predicted →", left, 16);
        g.drawString("true ↓", 4, 16);
        for (int t = 0; t < k; t++) {
            long row = 0;
            for (int p = 0; p < k; p++) row += cm.count(t, p);
            g.setColor(Png.INK);
            g.drawString(name(names, t), 8, top + t * CELL + CELL / 2 + fm.getAscent() / 2);
            for (int p = 0; p < k; p++) {
                long n = cm.count(t, p);
                // share of the true class's examples in this cell, 0..1
                float share = row == 0 ? 0f : (float) n / row;
                int x = left + p * CELL, y = top + t * CELL;
                g.setColor(shade(share, t == p));
                g.fillRect(x, y, CELL - 1, CELL - 1);
                g.setColor(share > 0.5f ? Color.WHITE : Png.INK);
                String s = Long.toString(n);
                g.drawString(s, x + (CELL - fm.stringWidth(s)) / 2, y + CELL / 2 + fm.getAscent() / 2 - 2);
            }
        }
        g.setColor(Png.INK);
        for (int p = 0; p < k; p++) {
            String s = Integer.toString(p);
            g.drawString(s, left + p * CELL + (CELL - fm.stringWidth(s)) / 2, top + k * CELL + 16);
        }
        g.dispose();
        return img;
    }

    /** White to blue on the diagonal (right answers), white to red off it (mistakes). */
    private static Color shade(float share, boolean diagonal) {
        float s = (float) Math.sqrt(share); // small shares of mistakes stay visible
        int r = diagonal ? (int) (255 - 205 * s) : 255 - (int) (40 * s);
        int gb = (int) (255 - 200 * s);
        return diagonal ? new Color(r, (int) (255 - 150 * s), 255 - (int) (55 * s)) : new Color(r, gb, gb);
    }

    private static String name(List<String> names, int c) {
        String index = Integer.toString(c);
        return c < names.size() && !names.get(c).equals(index) ? c + " " + names.get(c) : index;
    }
}
