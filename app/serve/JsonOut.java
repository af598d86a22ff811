package app.serve;

import tensor.io.Json;

/** Helpers that write JSON: strings quoted as tensor.io.Json does, error bodies, and the two inference answers. */
final class JsonOut {
    private JsonOut() {}

    static StringBuilder string(StringBuilder sb, String s) {
        Json.quote(s, sb);
        return sb;
    }

    static String error(String message) {
        StringBuilder sb = new StringBuilder("{\"error\":");
        string(sb, message);
        return sb.append('}').toString();
    }

    /** {@code {"error": message}} (refusals: not the hot path). */
    static void error(ByteText out, String message) {
        out.str(error(message));
    }

    /** TorchServe's answer: {@code {"predictions": [{"class", "label", "probabilities"}, ...]}}, one per row; nothing allocated. */
    static void predictions(ByteText out, ServedModel m, float[] p, int rows) {
        int k = m.classes();
        out.str("{\"predictions\":[");
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
            if (r > 0) out.ch(',');
            out.str("{\"class\":").num(best).str(",\"label\":").bytes(m.labelJson(best)).str(",\"probabilities\":");
            out.floats(p, r * k, k).ch('}');
        }
        out.str("]}");
    }

    /** The Open Inference Protocol's answer: one output, "probabilities", [rows, classes] FP32, the request's id echoed. */
    static void v2(ByteText out, ServedModel m, String id, float[] p, int rows) {
        out.str("{\"model_name\":\"").bytes(m.nameBytes()).str("\",\"model_version\":\"").str(Routes.VERSION).ch('"');
        if (id != null) {
            StringBuilder sb = new StringBuilder(id.length() + 2);
            out.str(",\"id\":").str(string(sb, id).toString());
        }
        out.str(",\"outputs\":[{\"name\":\"").str(InferRequest.OUTPUT).str("\",\"shape\":[").num(rows).ch(',').num(m.classes())
                .str("],\"datatype\":\"FP32\",\"data\":").floats(p, 0, rows * m.classes()).str("}]}");
    }
}
