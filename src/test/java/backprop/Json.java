package backprop;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden files' JSON, read with the engine's own parser ({@link tensor.io.Json}), and the
 * accessors the tests use on it.
 */
final class Json {
    private Json() {}

    /** Map for objects, List for arrays, Long or Double, String, Boolean, or null. */
    static Object parse(String text) {
        try {
            return tensor.io.Json.parse(text);
        } catch (tensor.io.Json.ParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
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
}
