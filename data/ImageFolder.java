package data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import tensor.Tensor;
import tensor.io.FileFormatException;

/**
 * A folder of labelled images, {@code root/<class>/<image>.png|jpg|jpeg}: the sorted sub-folder
 * names are the classes, each image is read with ImageIO, resized (bilinear, halving first for
 * large reductions) to width × height, kept RGB or turned to gray (Rec. 601 luma), and stored
 * CHW with values in [0, 1]. Transparent pixels are composed over black.
 */
public final class ImageFolder {
    /** Default bound on an image's pixels before it is decoded: 2²⁶ (256 MiB as ARGB ints), or -Dnabla.image.maxPixels. */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    private ImageFolder() {}

    /** The bound on the pixels of one image: {@code -Dnabla.image.maxPixels}, default 2²⁶. */
    public static long maxPixels() {
        return Long.getLong("nabla.image.maxPixels", DEFAULT_MAX_PIXELS);
    }

    public static Dataset load(Path root, int width, int height, boolean rgb, long maxBytes) throws IOException {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if (!Files.isDirectory(root)) throw new DatasetNotFoundException("image folder " + root + " does not exist or is not a folder");
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        if (classDirs.isEmpty()) {
            throw new FileFormatException(root, -1, "has no class sub-folders; expected root/<class>/<image>.png|jpg");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            names.add(classDirs.get(c).getFileName().toString());
            try (Stream<Path> s = Files.list(classDirs.get(c))) {
                for (Path f : s.filter(ImageFolder::isImage).sorted().toList()) {
                    files.add(f);
                    labels.add(c);
                }
            }
        }
        if (files.isEmpty()) throw new FileFormatException(root, -1, "the class folders " + names + " hold no .png or .jpg images");
        ImageShape shape = new ImageShape(rgb ? 3 : 1, height, width);
        if (4L * files.size() * shape.size() > maxBytes) {
            throw new FileFormatException(root, -1, files.size() + " images of " + shape + " need " + Idx.mib(4L * files.size() * shape.size())
                    + " as float32, more than the bound of " + Idx.mib(maxBytes) + " (raise it with -Dnabla.data.maxBytes)");
        }
        ImageIO.setUseCache(false);
        Tensor x = Tensor.zeros(files.size(), shape.size());
        int[] y = new int[files.size()];
        BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            BufferedImage img = decode(f, maxPixels());
            resizeInto(img, target);
            toFloats(target, x.data(), i * shape.size(), rgb);
            y[i] = labels.get(i);
        }
        List<String> sources = new ArrayList<>(files.size());
        for (Path f : files) sources.add(root.relativize(f).toString().replace(java.io.File.separatorChar, '/'));
        return new Dataset(root.getFileName() + "", x, y, names.size(), shape, names).withSources(sources);
    }

    /**
     * One image file's bytes (PNG, JPEG, ...) as a model input row, prepared as {@link #load} prepares
     * a folder: resized to {@code shape}'s width × height, gray or RGB by its channels, CHW in [0, 1],
     * into {@code out[off, off + shape.size())}. {@code what} names the image in messages.
     */
    public static void toRow(byte[] bytes, String what, ImageShape shape, float[] out, int off) throws IOException {
        if (shape.channels() != 1 && shape.channels() != 3) {
            throw new IllegalArgumentException("images have 1 or 3 channels; the model takes " + shape);
        }
        BufferedImage img = decode(ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bytes)), Path.of(what), maxPixels());
        BufferedImage target = new BufferedImage(shape.width(), shape.height(), BufferedImage.TYPE_INT_RGB);
        resizeInto(img, target);
        toFloats(target, out, off, shape.channels() == 3);
    }

    static BufferedImage decode(Path f, long maxPixels) throws IOException {
        return decode(ImageIO.createImageInputStream(f.toFile()), f, maxPixels);
    }

    /**
     * Reads the image's size from its header and refuses one of more than {@code maxPixels} before
     * decoding it: a small file can claim a huge image (a decompression bomb).
     */
    private static BufferedImage decode(ImageInputStream stream, Path f, long maxPixels) throws IOException {
        try (ImageInputStream in = stream) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new FileFormatException(f, 0, "is not an image ImageIO can decode (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if ((long) w * h > maxPixels) {
                    throw new FileFormatException(f, -1, String.format(Locale.ROOT, "its header says %dx%d = %,d pixels, more than the "
                            + "bound of %,d (raise it with -Dnabla.image.maxPixels)", w, h, (long) w * h, maxPixels));
                }
                return reader.read(0);
            } catch (FileFormatException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new FileFormatException(f, -1, "cannot decode the image: " + e.getMessage());
            } finally {
                reader.dispose();
            }
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    /** Draws {@code src} scaled into {@code dst}; halves first while more than 2× too big (bilinear alone aliases). */
    static void resizeInto(BufferedImage src, BufferedImage dst) {
        BufferedImage cur = src;
        while (cur.getWidth() >= 2 * dst.getWidth() && cur.getHeight() >= 2 * dst.getHeight()) {
            BufferedImage half = new BufferedImage(cur.getWidth() / 2, cur.getHeight() / 2, BufferedImage.TYPE_INT_ARGB);
            draw(cur, half);
            cur = half;
        }
        Graphics2D g = dst.createGraphics();
        g.setColor(java.awt.Color.BLACK);
        g.fillRect(0, 0, dst.getWidth(), dst.getHeight());
        g.dispose();
        draw(cur, dst);
    }

    private static void draw(BufferedImage src, BufferedImage dst) {
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, dst.getWidth(), dst.getHeight(), null);
        g.dispose();
    }

    /** CHW floats in [0, 1]: three planes R, G, B, or one plane of luma 0.299 R + 0.587 G + 0.114 B. */
    static void toFloats(BufferedImage img, float[] out, int off, boolean rgb) {
        int w = img.getWidth();
        int h = img.getHeight();
        int plane = w * h;
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                int argb = img.getRGB(c, r);
                float red = ((argb >> 16) & 0xff) / 255f;
                float green = ((argb >> 8) & 0xff) / 255f;
                float blue = (argb & 0xff) / 255f;
                int p = r * w + c;
                if (rgb) {
                    out[off + p] = red;
                    out[off + plane + p] = green;
                    out[off + 2 * plane + p] = blue;
                } else {
                    out[off + p] = 0.299f * red + 0.587f * green + 0.114f * blue;
                }
            }
        }
    }
}
