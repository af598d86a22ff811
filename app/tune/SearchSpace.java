package app.tune;

import data.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The hyperparameters a tune searches: {@code "lr=log:1e-4:1; batch=32,64,128; dropout=0:0.5"}.
 * Each part names a {@code ./nabla train} flag and its values: a list {@code a,b,c}, a uniform
 * range {@code LO:HI}, a log-uniform range {@code log:LO:HI} or an integer range {@code int:LO:HI}.
 * A random trial draws each flag in the order written; a grid needs lists only.
 */
public final class SearchSpace {
    /** One flag's values. */
    public sealed interface Values permits Choice, Range {}

    public record Choice(List<String> values) implements Values {}

    /** kind: uniform, log or int. */
    public record Range(String kind, double lo, double hi) implements Values {}

    private final Map<String, Values> flags;

    private SearchSpace(Map<String, Values> flags) {
        this.flags = flags;
    }

    public Map<String, Values> flags() { return flags; }

    /** Parses the --space string; a bad part is named with the form it should have. */
    public static SearchSpace parse(String spec) {
        Map<String, Values> flags = new LinkedHashMap<>();
        for (String part : spec.split(";")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("'" + part.strip() + "' is not FLAG=VALUES (e.g. lr=log:1e-4:1 or batch=32,64)");
            String name = part.substring(0, eq).strip().replaceFirst("^--", "");
            String v = part.substring(eq + 1).strip();
            if (flags.containsKey(name)) throw new IllegalArgumentException("'" + name + "' is given twice");
            flags.put(name, values(name, v));
        }
        if (flags.isEmpty()) throw new IllegalArgumentException("'" + spec + "' names no flag; e.g. \"lr=log:1e-4:1; batch=32,64\"");
        return new SearchSpace(flags);
    }

    private static Values values(String name, String v) {
        String[] p = v.split(":");
        // a comma makes a list, so values with colons (lr-decay=exp:0.9,step:5:0.5,none) are searchable too
        boolean range = !v.contains(",") && (p.length == 3 && (p[0].equals("log") || p[0].equals("int")) || p.length == 2);
        if (!range) {
            List<String> list = new ArrayList<>();
            for (String s : v.split(",")) {
                if (s.isBlank()) throw new IllegalArgumentException(name + "=" + v + ": an empty value in the list");
                list.add(s.strip());
            }
            return new Choice(List.copyOf(list));
        }
        String kind = p.length == 3 ? p[0] : "uniform";
        double lo, hi;
        try {
            lo = Double.parseDouble(p[p.length - 2]);
            hi = Double.parseDouble(p[p.length - 1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + ": a range is LO:HI, log:LO:HI or int:LO:HI with numbers");
        }
        if (!(lo < hi) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException(name + "=" + v + ": a range needs LO < HI, got " + lo + " and " + hi);
        }
        if (kind.equals("log") && lo <= 0) throw new IllegalArgumentException(name + "=" + v + ": a log range needs LO > 0, got " + lo);
        return new Range(kind, lo, hi);
    }

    /** The flags of random trial {@code id}: each drawn from a generator seeded by (seed, id), in the order written. */
    public Map<String, String> sample(long seed, int id) {
        Rng rng = new Rng(Rng.mix(seed, 8, id));
        Map<String, String> out = new LinkedHashMap<>();
        flags.forEach((name, values) -> out.put(name, values instanceof Choice c
                ? c.values().get(rng.nextInt(c.values().size())) : draw((Range) values, rng.nextDouble())));
        return out;
    }

    private static String draw(Range r, double u) {
        return switch (r.kind()) {
            // log-uniform: exp(log lo + u·(log hi − log lo)), to 3 significant digits
            case "log" -> String.format(Locale.ROOT, "%.3g", Math.exp(Math.log(r.lo()) + u * (Math.log(r.hi()) - Math.log(r.lo()))));
            // an integer in [lo, hi], each equally likely
            case "int" -> Long.toString((long) Math.floor(Math.ceil(r.lo()) + u * (Math.floor(r.hi()) - Math.ceil(r.lo()) + 1)));
            default -> String.format(Locale.ROOT, "%.3g", r.lo() + u * (r.hi() - r.lo()));
        };
    }

    /** Every combination of the lists, the first flag changing slowest; a range has no grid. */
    public List<Map<String, String>> grid() {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (Map.Entry<String, Values> e : flags.entrySet()) {
            if (!(e.getValue() instanceof Choice c)) {
                throw new IllegalArgumentException("the grid scheduler needs a list for every flag, but " + e.getKey()
                        + " is a range; write it as values, e.g. " + e.getKey() + "=0.01,0.1");
            }
            List<Map<String, String>> next = new ArrayList<>();
            for (Map<String, String> m : out) {
                for (String v : c.values()) {
                    Map<String, String> n = new LinkedHashMap<>(m);
                    n.put(e.getKey(), v);
                    next.add(n);
                }
            }
            out = next;
        }
        return out;
    }
}
