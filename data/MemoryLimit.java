package data;

import java.util.Locale;

/**
 * The heap a run may fill with sizes that its input controls, checked before they are allocated, so
 * a hostile or mistyped size is one line, not an out-of-memory error after minutes.
 *
 * <p>The limit is two thirds of {@code Runtime.maxMemory()} (java's {@code -Xmx}): large arrays live in
 * the old generation, which is 2/3 of the heap under the launcher's ParallelGC; or
 * {@code -Dnabla.memory.limit=BYTES} (a {@code k}, {@code m} or {@code g} suffix allowed).
 */
public final class MemoryLimit {
    public static final String PROPERTY = "nabla.memory.limit";

    private MemoryLimit() {}

    /** The limit: {@code -Dnabla.memory.limit}, else 2/3 of the JVM's maximum heap. */
    public static long limit() {
        String s = System.getProperty(PROPERTY);
        if (s == null || s.isBlank()) return Runtime.getRuntime().maxMemory() / 3 * 2;
        String v = s.strip().toLowerCase(Locale.ROOT);
        long unit = switch (v.charAt(v.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        try {
            long n = Long.parseLong(unit == 1 ? v : v.substring(0, v.length() - 1));
            if (n <= 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "='" + s + "' is not a positive size in bytes (e.g. 4g, 512m)");
        }
    }

    /** Throws {@link TooLarge} when {@code bytes} for {@code what} (described in a few words) exceed {@link #limit()}. */
    public static void require(String what, long bytes) {
        long limit = limit();
        if (bytes > limit) {
            throw new TooLarge(what + " needs about " + size(bytes) + " of memory but the limit is " + size(limit)
                    + " (2/3 of java -Xmx, or -D" + PROPERTY + "=BYTES)");
        }
    }

    /** {@code 1.5 GiB}, {@code 12.0 MiB}, {@code 640 B}. */
    public static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u + 1 < units.length) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** A run that would not fit in memory; its message is the one line to show. */
    public static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TooLarge(String message) {
            super(message);
        }
    }
}
