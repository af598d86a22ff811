package app.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A line chart drawn with Java2D: axes with nice ticks and a light grid, axis labels, a title, a
 * legend, an optional log x axis, and vertical markers. Non-finite points (a diverged loss) are
 * skipped, breaking the line; a fixed y range clips what lies outside it.
 *
 * <pre>{@code
 * new LineChart("loss", "epoch", "loss").series("train", epochs, train).series("validation", epochs, val)
 *     .write(Path.of("out/loss.png"), 800, 500);
 * }</pre>
 */
public final class LineChart {
    private record Series(String name, double[] x, double[] y, Color color, boolean crossAtEnd) {}
    private record Marker(double x, String label) {}

    private String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();
    private boolean logX;
    private boolean logY;
    private double xMin = Double.NaN;
    private double xMax = Double.NaN;
    private double yMin = Double.NaN;
    private double yMax = Double.NaN;

    // Plot area, set by render() (package-private for tests that look at pixels).
    int left, top, right, bottom;
    private double x0, x1, y0, y1;

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** A line through (x[i], y[i]), in the next palette colour. */
    public LineChart series(String name, double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length + " y values");
        return series(name, x, y, Png.PALETTE[series.size() % Png.PALETTE.length], false);
    }

    /**
     * A line in {@code color}, with an × on its last point when {@code crossAtEnd} (a run cut short). Series of the
     * same name share one legend entry; an empty name has none.
     */
    public LineChart series(String name, double[] x, double[] y, Color color, boolean crossAtEnd) {
        if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length + " y values");
        series.add(new Series(name, x.clone(), y.clone(), color, crossAtEnd));
        return this;
    }

    /** A dashed vertical line at {@code x} with a label. */
    public LineChart marker(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    /** A logarithmic x axis (points with x ≤ 0 are skipped). */
    public LineChart logX(boolean on) {
        this.logX = on;
        return this;
    }

    public String title() { return title; }

    public LineChart title(String t) {
        this.title = t;
        return this;
    }

    /** A logarithmic y axis (points with y ≤ 0 are skipped). */
    public LineChart logY(boolean on) {
        this.logY = on;
        return this;
    }

    /** A fixed x range instead of the data's (e.g. room around the first and last point). */
    public LineChart xRange(double min, double max) {
        if (!(max > min)) throw new IllegalArgumentException("x range needs min < max, got " + min + ", " + max);
        this.xMin = min;
        this.xMax = max;
        return this;
    }

    /** A fixed y range instead of the data's (what is outside is clipped). */
    public LineChart yRange(double min, double max) {
        if (!(max > min)) throw new IllegalArgumentException("y range needs min < max, got " + min + ", " + max);
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    public void write(Path png, int width, int height) throws IOException {
        Png.write(render(width, height), png);
    }

    public BufferedImage render(int width, int height) {
        BufferedImage img = Png.canvas(width, height);
        Graphics2D g = Png.graphics(img);
        FontMetrics fm = g.getFontMetrics();
        left = 70;
        right = width - 20;
        top = title.isEmpty() ? 20 : 40;
        bottom = height - 50;
        if (right - left < 50 || bottom - top < 50) throw new IllegalArgumentException("a chart needs at least 140x140 pixels, got " + width + "x" + height);

        ranges();
        NiceScale.Ticks xt = logX ? NiceScale.log(x0, x1) : NiceScale.linear(x0, x1, 8);
        NiceScale.Ticks yt = logY ? (y1 / y0 < 20 ? everyDigit(y0, y1) : NiceScale.log(y0, y1)) : NiceScale.linear(y0, y1, 6);
        if (Double.isNaN(xMin)) {
            x0 = xt.min();
            x1 = xt.max();
        }
        if (Double.isNaN(yMin)) {
            y0 = yt.min();
            y1 = yt.max();
        }

        // grid, ticks and axes are axis-aligned: drawn without antialiasing, so 1 px stays 1 crisp px
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_NORMALIZE);
        g.setStroke(new BasicStroke(1f));
        for (double v : xt.values()) {
            if (v < x0 || v > x1) continue;
            double px = px(v);
            g.setColor(Png.GRID);
            g.draw(new Line2D.Double(px, top, px, bottom));
            g.setColor(Png.INK);
            g.draw(new Line2D.Double(px, bottom, px, bottom + 4));
            String s = logX ? NiceScale.scientific(v) : NiceScale.label(v, xt.step());
            g.drawString(s, (float) (px - fm.stringWidth(s) / 2.0), bottom + 6 + fm.getAscent());
        }
        for (double v : yt.values()) {
            if (v < y0 - 1e-12 * Math.abs(y1 - y0) || v > y1 + 1e-12 * Math.abs(y1 - y0)) continue;
            double py = py(v);
            g.setColor(Png.GRID);
            g.draw(new Line2D.Double(left, py, right, py));
            g.setColor(Png.INK);
            g.draw(new Line2D.Double(left - 4, py, left, py));
            String s = logY ? NiceScale.label(v, v) : NiceScale.label(v, yt.step());
            g.drawString(s, left - 7 - fm.stringWidth(s), (float) (py + fm.getAscent() / 2.0 - 1));
        }
        // axes
        g.setColor(Png.INK);
        g.draw(new Line2D.Double(left, bottom, right, bottom));
        g.draw(new Line2D.Double(left, top, left, bottom));
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        // labels and title
        g.drawString(xLabel, (left + right - fm.stringWidth(xLabel)) / 2f, height - 12);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + bottom + fm.stringWidth(yLabel)) / 2f, 18);
        g.setTransform(saved);
        if (!title.isEmpty()) {
            g.setFont(g.getFont().deriveFont(java.awt.Font.BOLD, 14f));
            g.drawString(title, (width - g.getFontMetrics().stringWidth(title)) / 2f, 24);
            g.setFont(g.getFont().deriveFont(java.awt.Font.PLAIN, 12f));
        }

        // data, clipped to the plot area
        java.awt.Shape clip = g.getClip();
        g.clipRect(left, top, right - left + 1, bottom - top + 1);
        for (Series s : series) {
            g.setColor(s.color);
            g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean pen = false;
            int drawn = 0;
            for (int i = 0; i < s.x.length; i++) {
                if (!usable(s.x[i], s.y[i])) {
                    pen = false;
                    continue;
                }
                if (pen) path.lineTo(px(s.x[i]), py(s.y[i]));
                else path.moveTo(px(s.x[i]), py(s.y[i]));
                pen = true;
                drawn++;
            }
            g.draw(path);
            int last = s.x.length - 1;
            if (s.crossAtEnd && last >= 0 && usable(s.x[last], s.y[last])) {
                double cx = px(s.x[last]), cy = py(s.y[last]);
                g.draw(new Line2D.Double(cx - 5, cy - 5, cx + 5, cy + 5));
                g.draw(new Line2D.Double(cx - 5, cy + 5, cx + 5, cy - 5));
            }
            if (drawn <= 30 && !s.crossAtEnd && series.size() <= 5) { // few points: mark each, so a single epoch still shows
                for (int i = 0; i < s.x.length; i++) {
                    if (usable(s.x[i], s.y[i])) g.fill(new java.awt.geom.Ellipse2D.Double(px(s.x[i]) - 3, py(s.y[i]) - 3, 6, 6));
                }
            }
        }
        for (Marker m : markers) {
            if (!(logX ? m.x > 0 : Double.isFinite(m.x))) continue;
            double px = px(m.x);
            g.setColor(Png.PALETTE[3]);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            g.draw(new Line2D.Double(px, top, px, bottom));
            g.drawString(m.label, (float) Math.min(px + 5, right - fm.stringWidth(m.label) - 4), top + fm.getAscent() + 4);
        }
        g.setClip(clip);
        legend(g, fm);
        g.dispose();
        return img;
    }

    private void legend(Graphics2D g, FontMetrics fm) {
        // one entry per name, in the order first drawn; unnamed series have none
        java.util.Map<String, Series> entries = new java.util.LinkedHashMap<>();
        for (Series s : series) if (!s.name.isEmpty()) entries.putIfAbsent(s.name, s);
        List<Series> series = new ArrayList<>(entries.values());
        if (series.isEmpty()) return;
        int w = 0;
        for (Series s : series) w = Math.max(w, fm.stringWidth(s.name));
        int lineH = fm.getHeight() + 2;
        int boxW = w + 44;
        int boxH = series.size() * lineH + 8;
        int[] corner = emptiestCorner(boxW, boxH, top + 8 + (markers.isEmpty() ? 0 : fm.getHeight() + 6));
        int bx = corner[0];
        int by = corner[1];
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(Png.GRID.darker());
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, boxW, boxH);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            int y = by + 4 + i * lineH + lineH / 2;
            g.setColor(s.color);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(bx + 6, y, bx + 26, y);
            if (s.crossAtEnd) {
                g.drawLine(bx + 21, y - 5, bx + 31, y + 5);
                g.drawLine(bx + 21, y + 5, bx + 31, y - 5);
            }
            g.setColor(Png.INK);
            g.drawString(s.name, bx + 36, y + fm.getAscent() / 2 - 1);
        }
    }

    /**
     * Where the legend box hides the fewest data: the top-right corner, else top-left, bottom-right or bottom-left,
     * counting the points of each line and ten between each pair that fall under the box.
     */
    private int[] emptiestCorner(int boxW, int boxH, int topY) {
        int[][] corners = {{right - boxW - 8, topY}, {left + 8, topY}, {right - boxW - 8, bottom - boxH - 8}, {left + 8, bottom - boxH - 8}};
        int[] best = corners[0];
        long fewest = Long.MAX_VALUE;
        for (int[] c : corners) {
            long hidden = 0;
            for (Series s : series) {
                for (int i = 0; i < s.x.length; i++) {
                    if (!usable(s.x[i], s.y[i])) continue;
                    boolean next = i + 1 < s.x.length && usable(s.x[i + 1], s.y[i + 1]);
                    for (int k = 0; k < (next ? 10 : 1); k++) {
                        double t = k / 10.0;
                        double px = next ? px(s.x[i]) + t * (px(s.x[i + 1]) - px(s.x[i])) : px(s.x[i]);
                        double py = next ? py(s.y[i]) + t * (py(s.y[i + 1]) - py(s.y[i])) : py(s.y[i]);
                        if (px >= c[0] && px <= c[0] + boxW && py >= c[1] && py <= c[1] + boxH) hidden++;
                    }
                }
            }
            if (hidden < fewest) {
                fewest = hidden;
                best = c;
            }
        }
        return best;
    }

    /** Log-axis ticks for less than 1.3 decades: every k·10^d (k = 1..9) in [lo, hi], so a narrow range still has several. */
    private static NiceScale.Ticks everyDigit(double lo, double hi) {
        List<Double> v = new ArrayList<>();
        for (int d = (int) Math.floor(Math.log10(lo)); d <= (int) Math.ceil(Math.log10(hi)); d++) {
            for (int k = 1; k <= 9; k++) {
                double t = k * Math.pow(10, d);
                if (t >= lo && t <= hi) v.add(t);
            }
        }
        return new NiceScale.Ticks(lo, hi, 10, v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private boolean usable(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && (!logX || x > 0) && (!logY || y > 0);
    }

    /** The data ranges over usable points (or the fixed y range). */
    private void ranges() {
        x0 = Double.POSITIVE_INFINITY;
        x1 = Double.NEGATIVE_INFINITY;
        y0 = Double.POSITIVE_INFINITY;
        y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x.length; i++) {
                if (!usable(s.x[i], s.y[i])) continue;
                x0 = Math.min(x0, s.x[i]);
                x1 = Math.max(x1, s.x[i]);
                y0 = Math.min(y0, s.y[i]);
                y1 = Math.max(y1, s.y[i]);
            }
        }
        for (Marker m : markers) {
            if (logX ? m.x > 0 : Double.isFinite(m.x)) {
                x0 = Math.min(x0, m.x);
                x1 = Math.max(x1, m.x);
            }
        }
        if (x0 > x1) { // nothing to draw: an empty frame
            x0 = logX ? 1 : 0;
            x1 = logX ? 10 : 1;
        }
        if (y0 > y1) {
            y0 = logY ? 1 : 0;
            y1 = logY ? 10 : 1;
        }
        if (logY && y0 == y1) y1 = y0 * 10;
        if (!Double.isNaN(yMin)) {
            y0 = yMin;
            y1 = yMax;
        }
        if (!Double.isNaN(xMin)) {
            x0 = xMin;
            x1 = xMax;
        }
    }

    /** Pixel column of x: linear in x, or in log10 x. */
    double px(double x) {
        double t = logX ? (Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) : (x - x0) / (x1 - x0);
        return left + t * (right - left);
    }

    /** Pixel row of y (up is larger). */
    double py(double y) {
        double t = logY ? (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) : (y - y0) / (y1 - y0);
        return bottom - t * (bottom - top);
    }
}
