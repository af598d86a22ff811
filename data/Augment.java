package data;

import java.util.random.RandomGenerator;

/** The augmentation transforms: horizontal flip, small rotation and translation, brightness; composed in order. */
public final class Augment {
    private Augment() {}

    /** Applies {@code transforms} one after the other, in the order given. */
    public static Transform compose(Transform... transforms) {
        return (image, off, shape, rng, scratch) -> {
            for (Transform t : transforms) t.apply(image, off, shape, rng, scratch);
        };
    }

    /** With probability {@code p}, mirrors the image left to right (every channel). */
    public static Transform horizontalFlip(double p) {
        return (image, off, shape, rng, scratch) -> {
            if (rng.nextDouble() >= p) return;
            int w = shape.width();
            for (int row = 0; row < shape.channels() * shape.height(); row++) {
                int base = off + row * w;
                for (int a = 0, b = w - 1; a < b; a++, b--) {
                    float t = image[base + a];
                    image[base + a] = image[base + b];
                    image[base + b] = t;
                }
            }
        };
    }

    /**
     * Rotates by an angle uniform in ±{@code maxDegrees} about the image centre and shifts by
     * uniform ±{@code maxShift} pixels in x and y; bilinear sampling, 0 (background) outside.
     */
    public static Transform rotateTranslate(double maxDegrees, double maxShift) {
        return (image, off, shape, rng, scratch) -> {
            double angle = Math.toRadians(uniform(rng, maxDegrees));
            double dx = uniform(rng, maxShift);
            double dy = uniform(rng, maxShift);
            warp(image, off, shape, angle, dx, dy, scratch);
        };
    }

    /** Adds one delta uniform in ±{@code maxDelta} to every pixel, clamped to [0, 1]. */
    public static Transform brightness(double maxDelta) {
        return (image, off, shape, rng, scratch) -> {
            float delta = (float) uniform(rng, maxDelta);
            for (int i = off; i < off + shape.size(); i++) image[i] = Math.min(1f, Math.max(0f, image[i] + delta));
        };
    }

    private static double uniform(RandomGenerator rng, double max) {
        return max == 0 ? 0 : (2 * rng.nextDouble() - 1) * max;
    }

    /**
     * Moves the content of each plane by p = R(angle)·(s − c) + c + t about the centre c, computed
     * backwards: out(p) = in(R(−angle)·(p − c − t) + c). With y growing downwards a positive angle
     * turns the content clockwise on screen; t = (dx, dy) shifts it right and down.
     */
    public static void warp(float[] image, int off, ImageShape shape, double angle, double dx, double dy, float[] scratch) {
        int w = shape.width();
        int h = shape.height();
        int n = shape.size();
        System.arraycopy(image, off, scratch, 0, n);
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double ux = x - cx - dx;
                double uy = y - cy - dy;
                // s = R(−angle)·u + c, with R(a) = [[cos a, −sin a], [sin a, cos a]]
                double sx = cos * ux + sin * uy + cx;
                double sy = -sin * ux + cos * uy + cy;
                for (int ch = 0; ch < shape.channels(); ch++) {
                    image[off + ch * w * h + y * w + x] = bilinear(scratch, ch * w * h, w, h, sx, sy);
                }
            }
        }
    }

    /** Bilinear interpolation of a w×h plane at (sx, sy); pixels outside the plane count as 0. */
    private static float bilinear(float[] plane, int base, int w, int h, double sx, double sy) {
        int x0 = (int) Math.floor(sx);
        int y0 = (int) Math.floor(sy);
        double fx = sx - x0;
        double fy = sy - y0;
        double v00 = at(plane, base, w, h, x0, y0);
        double v10 = at(plane, base, w, h, x0 + 1, y0);
        double v01 = at(plane, base, w, h, x0, y0 + 1);
        double v11 = at(plane, base, w, h, x0 + 1, y0 + 1);
        return (float) ((v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy);
    }

    private static float at(float[] plane, int base, int w, int h, int x, int y) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0f : plane[base + y * w + x];
    }
}
