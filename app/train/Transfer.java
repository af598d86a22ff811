package app.train;

import backprop.Layer;
import backprop.Network;
import backprop.layers.Dense;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tensor.Tensor;

/**
 * Transfer learning: a new network starts from a base checkpoint's leading layers. The Linear
 * layers are matched by position (the k-th Linear layer of each) and kept while their weight
 * shapes agree, with the state of the layers that follow each kept one up to the next Linear
 * layer (BatchNorm's γ, β and running statistics); the first Linear layer whose shape differs and
 * every later one keep their fresh initialization: a new head.
 *
 * @param from      the base checkpoint's file
 * @param kept      how many leading Linear layers came from the base
 * @param mismatch  null when every Linear layer of the new model was kept or the base had no more;
 *                  else the first one that was not, with both shapes
 */
public record Transfer(String from, int kept, int linearLayers, String mismatch) {

    /** Copies the matching leading layers of {@code base} into {@code net}; nothing matching at all names the first layer and both shapes. */
    public static Transfer apply(Checkpoint base, Network net) {
        List<Integer> baseLinear = linearIndices(base.tensors());
        List<Dense> dense = ModelSpec.denseLayers(net);
        List<Layer> layers = net.layers();
        List<Integer> netLinear = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) if (layers.get(i) instanceof Dense) netLinear.add(i);
        Map<String, Tensor> want = Checkpoint.modelState(net);
        Map<String, Tensor> copies = new LinkedHashMap<>();
        int kept = 0;
        String mismatch = null;
        for (int k = 0; k < dense.size() && k < baseLinear.size(); k++) {
            int a = netLinear.get(k), b = baseLinear.get(k);
            int[] mine = want.get(a + ".weight").shape();
            int[] theirs = base.tensors().get(b + ".weight").shape();
            if (!Arrays.equals(mine, theirs)) {
                mismatch = "Linear layer " + (k + 1) + " is " + Arrays.toString(theirs) + " (out, in) in " + base.source() + " but "
                        + Arrays.toString(mine) + " in this model";
                break;
            }
            // this Linear layer and the layers after it, up to the next Linear one, from the base at the same offsets
            int end = k + 1 < netLinear.size() ? netLinear.get(k + 1) : layers.size();
            for (int i = a; i < end; i++) {
                String prefix = i + ".";
                String basePrefix = (b + i - a) + ".";
                for (Map.Entry<String, Tensor> e : want.entrySet()) {
                    if (!e.getKey().startsWith(prefix)) continue;
                    String name = basePrefix + e.getKey().substring(prefix.length());
                    Tensor t = base.tensors().get(name);
                    if (t == null || !Arrays.equals(t.shape(), e.getValue().shape())) {
                        throw new IllegalArgumentException("--from " + base.source() + ": layer " + layers.get(i).name() + " needs '"
                                + name + "' " + Arrays.toString(e.getValue().shape()) + " from the base, which has "
                                + (t == null ? "no such tensor" : Arrays.toString(t.shape())) + " (the base must have the same "
                                + "--batchnorm as this model)");
                    }
                    copies.put(e.getKey(), t);
                }
            }
            kept++;
        }
        if (kept == 0) {
            throw new IllegalArgumentException("--from " + base.source() + ": nothing to keep: " + (mismatch != null ? mismatch
                    : "it has no Linear layer (no tensor '<index>.weight' of rank 2)"));
        }
        copies.forEach((name, t) -> want.get(name).copyFrom(t));
        return new Transfer(base.source(), kept, dense.size(), mismatch);
    }

    /** The layer indices of the rank-2 {@code <index>.weight} tensors: the Linear layers of an nn.Sequential state dict, in order. */
    static List<Integer> linearIndices(Map<String, Tensor> tensors) {
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String n = e.getKey();
            if (Checkpoint.isModelTensor(n) && n.endsWith(".weight") && e.getValue().rank() == 2) {
                try {
                    byIndex.put(Integer.parseInt(n.substring(0, n.indexOf('.'))), n);
                } catch (NumberFormatException notAnIndex) {
                    // a name such as "0x.weight" is no layer of a Sequential
                }
            }
        }
        return new ArrayList<>(byIndex.keySet());
    }

    /** "kept Linear layers 1-2 of base.safetensors; new: 3 (Linear layer 3 is [10, 128] ... but [5, 128] ...)". */
    public String describe() {
        String keptText = kept == 1 ? "Linear layer 1" : "Linear layers 1-" + kept;
        String fresh = kept == linearLayers ? "" : "; new: " + (kept + 1 == linearLayers ? "Linear layer " + linearLayers
                : "Linear layers " + (kept + 1) + "-" + linearLayers) + (mismatch != null ? " (" + mismatch + ")" : "");
        return "from " + from + ": kept " + keptText + fresh;
    }

    /** What the checkpoint records. */
    public Map<String, Object> toJson(String frozen) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from);
        m.put("kept_linear_layers", (long) kept);
        m.put("frozen", frozen);
        return m;
    }
}
