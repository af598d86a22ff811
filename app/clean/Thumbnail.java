package app.clean;

import data.Dataset;
import data.ImageShape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * One example of an image dataset as a PNG at its own size (the page enlarges it, pixelated): values
 * in [0, 1] clamped to bytes, gray or RGB from CHW rows.
 */
final class Thumbnail {
    static {
        // no display is needed to encode a PNG; must be set before AWT starts
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Thumbnail() {}

    static byte[] png(Dataset data, int row) throws IOException {
        ImageShape shape = data.imageShape().orElseThrow(() -> new IllegalArgumentException(data.name() + " has no images"));
        int w = shape.width(), h = shape.height(), plane = w * h;
        float[] x = data.features().data();
        int off = data.features().offset() + row * data.dim();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < plane; p++) {
            int r, g, b;
            if (shape.channels() >= 3) {
                r = byteOf(x[off + p]);
                g = byteOf(x[off + plane + p]);
                b = byteOf(x[off + 2 * plane + p]);
            } else {
                r = g = b = byteOf(x[off + p]);
            }
            img.setRGB(p % w, p / w, (r << 16) | (g << 8) | b);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this JDK");
        return out.toByteArray();
    }

    private static int byteOf(float v) {
        return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
    }
}
