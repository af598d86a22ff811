package app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.Network;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSpecTest {
    @Test
    void parsesSizesAndSaysWhatIsWrongWithABadString() {
        assertArrayEquals(new int[] {784, 256, 128, 10}, ModelSpec.parseSizes("784-256-128-10"));
        for (String[] bad : new String[][] {
            {"784-a-10", "'a' is not a layer size"}, {"784", "at least an input and an output"}, {"784--10", "'' is not a layer size"},
            {"784-0-10", "layer size 0 is outside"}, {"", "empty"}, {"784-99999999999-10", "'99999999999' is not a layer size"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.parseSizes(bad[0]));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
    }

    @Test
    void buildsThePyTorchSequentialLayerForLayer() {
        ModelSpec s = new ModelSpec(new int[] {784, 256, 128, 10}, "relu", "nll", 0.2f, true);
        Network net = s.build();
        List<Map<String, Object>> arch = ModelSpec.architecture(net);
        List<String> types = arch.stream().map(m -> (String) m.get("type")).toList();
        assertEquals(List.of("Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "LogSoftmax"), types);
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "4.weight", "4.bias",
                "5.weight", "5.bias", "5.running_mean", "5.running_var", "8.weight", "8.bias"),
                List.copyOf(Checkpoint.modelState(net).keySet()));
        assertArrayEquals(new int[] {256, 784}, Checkpoint.modelState(net).get("0.weight").shape(), "Linear's [out, in]");
    }

    @Test
    void lrDecaySpecs() {
        assertEquals(0.5f, LrDecay.parse("step:2:0.5").next(1, 0, 1f));
        assertEquals(1f, LrDecay.parse("step:2:0.5").next(0, 0, 1f));
        assertEquals(0.9f, LrDecay.parse("exp:0.9").next(0, 0, 1f));
        assertEquals(null, LrDecay.parse("none"));
        for (String bad : List.of("step:2", "exp:x", "plateau:1", "cosine", "exp:1.5")) {
            assertThrows(IllegalArgumentException.class, () -> LrDecay.parse(bad), bad);
        }
    }
}
