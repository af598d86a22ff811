package cuda;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every kernel the Java side launches, by PTX module (cuda/ptx/&lt;module&gt;.ptx, compiled from
 * cuda/&lt;module&gt;.cu) and entry name. {@link Kernel} refuses a pair not listed here, and a test checks
 * that each listed entry is declared by the committed PTX, so a renamed kernel fails the build, not
 * a GPU run.
 */
final class PtxModules {
    private PtxModules() {}

    static final Map<String, List<String>> MODULES = build();

    private static Map<String, List<String>> build() {
        Map<String, List<String>> modules = new LinkedHashMap<>();
        for (SgemmVersion v : SgemmVersion.values()) {
            modules.put(v.entry(), v == SgemmVersion.V7_SPLIT_K ? List.of(v.entry(), SgemmVersion.V7_REDUCE) : List.of(v.entry()));
        }
        modules.put("scale_matrix", List.of("scale_matrix"));
        modules.put("bias_add", List.of("bias_add"));
        modules.put("sigmoid", List.of("sigmoid_forward", "sigmoid_backward"));
        modules.put("relu", List.of("relu_forward", "relu_backward"));
        modules.put("tanh", List.of("tanh_forward", "tanh_backward"));
        modules.put("softmax_cross_entropy", List.of("softmax_cross_entropy"));
        modules.put("column_sums", List.of("column_sums"));
        modules.put("sgd_momentum", List.of("sgd_momentum"));
        modules.put("leaky_relu", List.of("leaky_relu_forward", "leaky_relu_backward"));
        modules.put("dropout", List.of("dropout_forward", "dropout_backward"));
        modules.put("batch_norm", List.of("batch_norm_forward_train", "batch_norm_forward_eval", "batch_norm_backward"));
        modules.put("log_softmax", List.of("log_softmax_forward", "log_softmax_backward"));
        modules.put("softmax", List.of("softmax_forward", "softmax_backward"));
        for (DeviceKernels.RowLoss loss : DeviceKernels.RowLoss.values()) modules.put(loss.entry(), List.of(loss.entry()));
        return java.util.Collections.unmodifiableMap(modules);
    }

    /** The oldest GPU (major·10 + minor) a module's PTX targets: its SGEMM version's, else 75 (compute_75). */
    static int minComputeCapability(String module) {
        for (SgemmVersion v : SgemmVersion.values()) if (v.entry().equals(module)) return v.minComputeCapability();
        return 75;
    }

    static boolean declares(String module, String entry) {
        List<String> entries = MODULES.get(module);
        return entries != null && entries.contains(entry);
    }
}
