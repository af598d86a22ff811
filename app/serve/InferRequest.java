package app.serve;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A parsed inference request: the rows to classify [rows, inputs] and, for the Open Inference
 * Protocol, the request's id (echoed in the response). Parses both JSON forms the server takes and
 * says in each error which field is wrong and how.
 */
record InferRequest(String id, float[] x, int rows) {
    static final String INPUT = "input";
    static final String OUTPUT = "probabilities";

    /**
     * The Open Inference Protocol (KServe v2) request: {@code {"id"?, "parameters"?, "inputs":
     * [{"name", "shape", "datatype", "parameters"?, "data"}], "outputs"?: [{"name", "parameters"?}]}},
     * data flat or nested in row-major order.
     */
    static InferRequest v2(byte[] body, int len, int inputs) throws HttpError {
        Object[] root = new Object[1];
        JsonBody json = JsonBody.parse(body, len, root);
        Map<String, Object> req = object(root[0], "the request");
        Object id = req.get("id");
        if (id != null && !(id instanceof String)) throw bad("\"id\" must be a string");
        List<Object> ins = list(req.get("inputs"), "\"inputs\"");
        if (ins.size() != 1) throw bad("\"inputs\" holds " + ins.size() + " tensors; the model takes one, named \"" + INPUT + "\"");
        Map<String, Object> in = object(ins.get(0), "inputs[0]");
        Object name = in.get("name");
        if (!INPUT.equals(name)) throw bad("inputs[0].name is " + show(name) + "; the model's input is named \"" + INPUT + "\"");
        Object datatype = in.get("datatype");
        if (!"FP32".equals(datatype)) throw bad("inputs[0].datatype is " + show(datatype) + "; the model takes FP32");
        int[] shape = shape(json, in.get("shape"));
        if (shape.length != 2 || shape[1] != inputs || shape[0] < 1) {
            throw bad("inputs[0].shape is " + Arrays.toString(shape) + " but the model takes [-1, " + inputs + "] (n >= 1 rows of " + inputs + ")");
        }
        int[] range = range(json, in.get("data"), "inputs[0].data");
        long need = (long) shape[0] * shape[1];
        if (range[1] != need) throw bad("inputs[0].data holds " + range[1] + " values but shape " + Arrays.toString(shape) + " needs " + need);
        Object outs = req.get("outputs");
        if (outs != null) {
            for (Object o : list(outs, "\"outputs\"")) {
                Object n = object(o, "an output").get("name");
                if (!OUTPUT.equals(n)) throw bad("output " + show(n) + " is not one of the model's outputs [\"" + OUTPUT + "\"]");
            }
        }
        return new InferRequest((String) id, Arrays.copyOfRange(json.floats, range[0], range[0] + range[1]), shape[0]);
    }

    /** TorchServe's JSON form: {@code {"inputs": [[...], ...]}} (rows of raw features), or one row {@code {"inputs": [...]}}. */
    static InferRequest rows(byte[] body, int len, int inputs) throws HttpError {
        Object[] root = new Object[1];
        JsonBody json = JsonBody.parse(body, len, root);
        Object v = object(root[0], "the request").get("inputs");
        if (v == null) throw bad("the request has no \"inputs\": send {\"inputs\": [[" + inputs + " numbers], ...]}");
        if (v instanceof JsonBody.Numbers one) v = List.of(one);
        List<Object> rows = list(v, "\"inputs\"");
        if (rows.isEmpty()) throw bad("\"inputs\" holds no rows");
        int start = -1;
        for (int r = 0; r < rows.size(); r++) {
            if (!(rows.get(r) instanceof JsonBody.Numbers row)) throw bad("inputs[" + r + "] is not an array of numbers");
            if (row.count() != inputs) throw bad("inputs[" + r + "] has " + row.count() + " values but the model takes " + inputs + " (shape [" + rows.size() + ", " + inputs + "])");
            if (start < 0) start = row.start();
        }
        return new InferRequest(null, Arrays.copyOfRange(json.floats, start, start + rows.size() * inputs), rows.size());
    }

    /** [start, count] of the floats of a flat or nested array of numbers. */
    private static int[] range(JsonBody json, Object v, String what) throws HttpError {
        if (v instanceof JsonBody.Numbers n) return new int[] {n.start(), n.count()};
        if (!(v instanceof List<?> l)) throw bad(what + " must be an array of numbers" + (v == null ? ", and is missing" : ""));
        int start = -1;
        int count = 0;
        for (Object e : l) {
            int[] r = range(json, e, what);
            if (start < 0) start = r[0];
            count += r[1];
        }
        return new int[] {Math.max(start, 0), count};
    }

    private static int[] shape(JsonBody json, Object v) throws HttpError {
        if (!(v instanceof JsonBody.Numbers n)) throw bad("inputs[0].shape must be an array of integers" + (v == null ? ", and is missing" : ""));
        int[] s = new int[n.count()];
        for (int i = 0; i < s.length; i++) {
            float f = json.floats[n.start() + i];
            if (f != Math.rint(f) || f < 0 || f > 1 << 24) throw bad("inputs[0].shape must hold non-negative integers, got " + f);
            s[i] = (int) f;
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String what) throws HttpError {
        if (!(v instanceof Map)) throw bad(what + " must be a JSON object");
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v, String what) throws HttpError {
        if (v instanceof JsonBody.Numbers n && n.count() == 0) return List.of();
        if (!(v instanceof List)) throw bad(what + " must be a JSON array" + (v == null ? ", and is missing" : ""));
        return (List<Object>) v;
    }

    private static String show(Object v) {
        return v == null ? "missing" : v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }

    private static HttpError bad(String message) {
        return new HttpError(400, message);
    }
}
