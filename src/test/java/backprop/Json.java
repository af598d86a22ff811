package backprop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader for the golden files (objects, arrays, numbers, strings, true/false/null),
 * so the tests need no JSON dependency. Errors name the character offset.
 */
final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Map for objects, List for arrays, Double, String, Boolean, or null. */
    static Object parse(String text) {
        Json j = new Json(text);
        Object v = j.value();
        j.skipSpace();
        if (j.i != text.length()) throw j.error("trailing characters");
        return v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object o, String key) {
        Object v = ((Map<String, Object>) o).get(key);
        if (!(v instanceof Map)) throw new IllegalArgumentException("no object '" + key + "'");
        return (Map<String, Object>) v;
    }

    /** A number, a vector or a matrix under {@code key}, flattened row-major into float[]. */
    @SuppressWarnings("unchecked")
    static float[] floats(Object o, String key) {
        Object v = ((Map<String, Object>) o).get(key);
        if (v == null) throw new IllegalArgumentException("no key '" + key + "'");
        List<Float> out = new ArrayList<>();
        flatten(v, out);
        float[] f = new float[out.size()];
        for (int k = 0; k < f.length; k++) f[k] = out.get(k);
        return f;
    }

    /** The same, in double (the references are float64). */
    @SuppressWarnings("unchecked")
    static double[] doubles(Object o, String key) {
        Object v = ((Map<String, Object>) o).get(key);
        if (v == null) throw new IllegalArgumentException("no key '" + key + "'");
        List<Double> out = new ArrayList<>();
        flattenD(v, out);
        double[] d = new double[out.size()];
        for (int k = 0; k < d.length; k++) d[k] = out.get(k);
        return d;
    }

    @SuppressWarnings("unchecked")
    static double number(Object o, String key) {
        return ((Number) ((Map<String, Object>) o).get(key)).doubleValue();
    }

    private static void flatten(Object v, List<Float> out) {
        if (v instanceof List) for (Object e : (List<?>) v) flatten(e, out);
        else out.add(((Number) v).floatValue());
    }

    private static void flattenD(Object v, List<Double> out) {
        if (v instanceof List) for (Object e : (List<?>) v) flattenD(e, out);
        else out.add(((Number) v).doubleValue());
    }

    private Object value() {
        skipSpace();
        if (i >= s.length()) throw error("unexpected end");
        char c = s.charAt(i);
        switch (c) {
            case '{': return obj();
            case '[': return arr();
            case '"': return str();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default: return num();
        }
    }

    private Map<String, Object> obj() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek() == '}') { i++; return m; }
        while (true) {
            skipSpace();
            String k = str();
            skipSpace();
            expect(':');
            m.put(k, value());
            skipSpace();
            if (peek() == ',') { i++; continue; }
            expect('}');
            return m;
        }
    }

    private List<Object> arr() {
        List<Object> l = new ArrayList<>();
        i++;
        skipSpace();
        if (peek() == ']') { i++; return l; }
        while (true) {
            l.add(value());
            skipSpace();
            if (peek() == ',') { i++; continue; }
            expect(']');
            return l;
        }
    }

    private String str() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (i >= s.length()) throw error("unterminated string");
            char c = s.charAt(i++);
            if (c == '"') return b.toString();
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                    default: b.append(e);
                }
            } else {
                b.append(c);
            }
        }
    }

    private Double num() {
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
        if (start == i) throw error("unexpected character '" + s.charAt(i) + "'");
        return Double.parseDouble(s.substring(start, i));
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) throw error("expected " + word);
        i += word.length();
        return v;
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        i++;
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("JSON: " + what + " at offset " + i);
    }
}
