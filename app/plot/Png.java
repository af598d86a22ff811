package app.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import tensor.io.AtomicFile;

/** Headless Java2D set-up and atomic PNG writing for the plots. */
final class Png {
    static {
        // No display is needed (or wanted) to draw into an image; must be set before AWT starts.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final Color BACKGROUND = Color.WHITE;
    static final Color INK = new Color(0x22, 0x22, 0x22);
    static final Color GRID = new Color(0xe6, 0xe6, 0xe6);
    /** Matplotlib's tab10, the first five. */
    static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd)};

    private Png() {}

    /** A white RGB image and an antialiased graphics on it. */
    static BufferedImage canvas(int width, int height) {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    }

    static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return g;
    }

    /** Writes {@code img} as a PNG, atomically (a crash never leaves half a file). */
    static void write(BufferedImage img, Path file) throws IOException {
        AtomicFile.write(file, ch -> {
            OutputStream out = Channels.newOutputStream(ch);
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this JDK");
            out.flush();
        });
    }
}
