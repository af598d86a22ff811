package app.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flags of one command: each declared once with its value name, default and help line, then
 * parsed from {@code --name value}, {@code --name=value} or, for a switch, {@code --name}. The same
 * declarations print the command's {@code --help}, so the help cannot drift from the parser.
 * Every bad value is a {@link Main.UsageException} (exit 2) that names the flag and the value.
 */
final class Flags {
    private record Flag(String name, String valueName, String defaultValue, String help) {
        boolean isSwitch() { return valueName == null; }
    }

    private final String usage;
    private final List<String> description = new ArrayList<>();
    private final Map<String, Flag> flags = new LinkedHashMap<>();
    private final Map<String, String> given = new LinkedHashMap<>();
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> positional = new ArrayList<>();
    private String positionalName;   // null: the command takes no positional arguments

    /** @param usage the synopsis line, e.g. {@code "./nabla train [flags]"} */
    Flags(String usage, String... description) {
        this.usage = usage;
        this.description.addAll(List.of(description));
        flag("help", null, null, "print this help and exit");
    }

    /** A flag with a value; {@code defaultValue} null means "not set unless given". */
    Flags flag(String name, String valueName, String defaultValue, String help) {
        if (flags.containsKey(name)) throw new IllegalStateException("flag --" + name + " declared twice");
        flags.put(name, new Flag(name, valueName, defaultValue, help));
        return this;
    }

    /** Lets the flag {@code name} (declared before) be given several times; {@link #getAll} returns every value. */
    Flags repeatable(String name) {
        requireDeclared(name);
        repeated.put(name, new ArrayList<>());
        return this;
    }

    /** Every value of a {@link #repeatable} flag in the order given; its default alone when not given. */
    List<String> getAll(String name) {
        List<String> values = repeated.get(name);
        if (values == null) throw new IllegalStateException("flag --" + name + " is not repeatable");
        if (!values.isEmpty()) return List.copyOf(values);
        String d = flags.get(name).defaultValue();
        return d == null ? List.of() : List.of(d);
    }

    /** A switch: on when given, off otherwise. */
    Flags toggle(String name, String help) {
        return flag(name, null, null, help);
    }

    /** Lets the command take arguments that are not flags (e.g. texts to predict), shown as {@code name} in --help. */
    Flags positionals(String name) {
        this.positionalName = name;
        return this;
    }

    /** The arguments that were not flags, in order (only when {@link #positionals} was declared). */
    List<String> positional() {
        return List.copyOf(positional);
    }

    /** A paragraph printed after the flags in --help. */
    Flags note(String text) {
        notes.add(text);
        return this;
    }

    /**
     * Parses {@code args}. Returns false when {@code --help} was asked for (the help is printed
     * on {@code out} and the command should return 0).
     */
    boolean parse(String[] args, PrintStream out) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                if (positionalName != null) {
                    positional.add(a);
                    continue;
                }
                throw new Main.UsageException("unexpected argument '" + a + "': flags are written --name value");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag f = flags.get(name);
            if (f == null) throw new Main.UsageException("unknown flag --" + name + suggestion(name));
            if (f.isSwitch()) {
                if (value != null) throw new Main.UsageException("--" + name + " is a switch and takes no value, got '" + value + "'");
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length) throw new Main.UsageException("--" + name + " needs a value: --" + name + " " + f.valueName);
                value = args[++i];
            }
            if (repeated.containsKey(name)) {
                repeated.get(name).add(value);
            } else if (given.containsKey(name)) {
                throw new Main.UsageException("--" + name + " is given twice");
            }
            given.put(name, value);
        }
        if (given.containsKey("help")) {
            printHelp(out);
            return false;
        }
        return true;
    }

    private String suggestion(String name) {
        String best = null;
        int bestDistance = 3;
        for (String known : flags.keySet()) {
            int d = editDistance(name, known);
            if (d < bestDistance) {
                bestDistance = d;
                best = known;
            }
        }
        return best == null ? "" : " (did you mean --" + best + "?)";
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    void printHelp(PrintStream out) {
        out.println("usage: " + usage);
        for (String d : description) out.println(d);
        out.println();
        out.println("flags:");
        int width = 0;
        for (Flag f : flags.values()) width = Math.max(width, left(f).length());
        for (Flag f : flags.values()) {
            String def = f.defaultValue == null ? "" : " (default " + f.defaultValue + ")";
            List<String> lines = wrap(f.help + def, Math.max(40, HELP_WIDTH - width - 4));
            out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", left(f), lines.get(0));
            for (String l : lines.subList(1, lines.size())) out.printf(Locale.ROOT, "  %-" + width + "s  %s%n", "", l);
        }
        for (String n : notes) {
            out.println();
            out.println(n);
        }
    }

    /** Help lines are wrapped to this many columns. */
    static final int HELP_WIDTH = 110;

    /** Splits {@code text} at spaces into lines of at most {@code width} characters (a longer word gets a line of its own). */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }

    private static String left(Flag f) {
        return "--" + f.name + (f.isSwitch() ? "" : " " + f.valueName);
    }

    // ---------------------------------------------------------------- values

    boolean given(String name) {
        requireDeclared(name);
        return given.containsKey(name);
    }

    /** The given value, else the default (null when neither). */
    String get(String name) {
        requireDeclared(name);
        String v = given.get(name);
        return v != null ? v : flags.get(name).defaultValue;
    }

    /** The given value of a flag the command cannot do without. */
    String required(String name) {
        if (!given(name)) throw new Main.UsageException("--" + name + " is required");
        return get(name);
    }

    boolean isOn(String name) {
        return given(name);
    }

    int getInt(String name, int min, int max) {
        String v = get(name);
        int x;
        try {
            x = Integer.parseInt(v.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new Main.UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
        if (x < min || x > max) {
            throw new Main.UsageException("--" + name + " must be " + (max == Integer.MAX_VALUE ? ">= " + min : "in " + min + ".." + max) + ", got " + x);
        }
        return x;
    }

    long getLong(String name) {
        String v = get(name);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new Main.UsageException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    /** A finite number in [min, max] (open at an end where {@code open} says so: "(]" , "[)", "()", "[]"). */
    double getDouble(String name, double min, double max, String ends) {
        String v = get(name);
        double x;
        try {
            x = Double.parseDouble(v.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new Main.UsageException("--" + name + " must be a number, got '" + v + "'");
        }
        boolean lowOk = ends.charAt(0) == '(' ? x > min : x >= min;
        boolean highOk = ends.charAt(1) == ')' ? x < max : x <= max;
        if (!Double.isFinite(x) || !lowOk || !highOk) throw new Main.UsageException("--" + name + " must be " + range(min, max, ends) + ", got " + v);
        return x;
    }

    /** A range as a person writes it: {@code > 0}, {@code ≥ 0}, {@code in [0, 1)}. */
    static String range(double min, double max, String ends) {
        if (max >= Float.MAX_VALUE) return (ends.charAt(0) == '(' ? "> " : ">= ") + fmt(min);
        return "in " + ends.charAt(0) + fmt(min) + ", " + fmt(max) + ends.charAt(1);
    }

    /** One of {@code choices} (case-insensitive), returned in lower case. */
    String getChoice(String name, String... choices) {
        String v = get(name);
        String lower = v == null ? null : v.toLowerCase(Locale.ROOT);
        for (String c : choices) if (c.equals(lower)) return c;
        throw new Main.UsageException("--" + name + " must be one of " + String.join("|", choices) + ", got '" + v + "'");
    }

    private static String fmt(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "∞" : "-∞";
        // Float.MAX_VALUE as 3.4e38, not as the long it rounds to (9223372036854775807)
        if (Math.abs(d) >= 1e15) return String.format(Locale.ROOT, "%.2g", d).replace("e+", "e");
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private void requireDeclared(String name) {
        if (!flags.containsKey(name)) throw new IllegalStateException("flag --" + name + " is not declared");
    }
}
