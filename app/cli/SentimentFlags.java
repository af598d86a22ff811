package app.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sentiment command's flags (kept apart from {@link Flags}, which declares train's with their help):
 * {@code --name value} and {@code --switch} flags, plus positional arguments. Anything unknown,
 * a missing value or a value that is not a number is a {@link Main.UsageException} (exit code 2).
 */
final class SentimentFlags {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    /** Parses {@code args}: {@code valued} flags take the next argument, {@code switches} take none. */
    SentimentFlags(String[] args, Set<String> valued, Set<String> switches) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.length() > 2) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (switches.contains(name) && inline == null) {
                    values.put(name, "true");
                } else if (valued.contains(name)) {
                    if (inline == null) {
                        if (i + 1 >= args.length) throw new Main.UsageException("--" + name + " needs a value");
                        inline = args[++i];
                    }
                    if (values.containsKey(name)) throw new Main.UsageException("--" + name + " is given twice");
                    values.put(name, inline);
                } else {
                    throw new Main.UsageException("unknown flag --" + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    boolean has(String name) { return values.containsKey(name); }
    List<String> positional() { return positional; }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String required(String name) {
        String v = values.get(name);
        if (v == null) throw new Main.UsageException("--" + name + " is required");
        return v;
    }

    int getInt(String name, int fallback, int min, int max) {
        if (!has(name)) return fallback;
        try {
            int v = Integer.parseInt(values.get(name).strip());
            if (v < min || v > max) throw new Main.UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
            return v;
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + name + " must be a whole number, got '" + values.get(name) + "'");
        }
    }

    double getDouble(String name, double fallback, double min, double max) {
        if (!has(name)) return fallback;
        try {
            double v = Double.parseDouble(values.get(name).strip());
            if (!(v >= min && v <= max)) throw new Main.UsageException("--" + name + " must be in [" + min + ", " + max + "], got " + v);
            return v;
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + name + " must be a number, got '" + values.get(name) + "'");
        }
    }

    long getLong(String name, long fallback) {
        if (!has(name)) return fallback;
        try {
            return Long.parseLong(values.get(name).strip());
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--" + name + " must be a whole number, got '" + values.get(name) + "'");
        }
    }
}
