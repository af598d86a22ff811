package backprop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.loss.Losses;
import backprop.optim.Sgd;
import java.util.List;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

class TraceTest {
    /** The notes' network: 3 inputs, 2 sigmoid hidden units, 1 sigmoid output, no biases. */
    static Network notesNetwork() {
        Network net = new Network(3).add(new Dense(3, 2, false)).add(new Sigmoid()).add(new Dense(2, 1, false)).add(new Sigmoid());
        net.parameter("dense0.weight").value().copyFrom(Tensor.of(new float[] {0.5f, -0.6f, 0.1f, -0.2f, 0.4f, 0.3f}, 2, 3));
        net.parameter("dense2.weight").value().copyFrom(Tensor.of(new float[] {0.1f, -0.3f}, 1, 2));
        return net;
    }

    @Test
    void namesTheNotesQuantities() {
        Network net = notesNetwork();
        String text = new Trace(net, Losses.byName("mse_half")).optimizer(new Sgd(net, 0.5f))
                .step(Tensor.of(new float[] {0.5f, 0.1f, -0.2f}, 1, 3), Tensor.of(new float[] {0.6f}, 1, 1));
        for (String name : new String[] {"hidden_input", "hidden_output", "output", "error", "output_error_term",
                "hidden_error", "hidden_error_term", "delta weights dense0.weight", "delta weights dense2.weight", "E = ", "update"}) {
            assertTrue(text.contains(name), "trace lacks " + name + ":\n" + text);
        }
    }

    @Test
    void errorTermsAreTheNotesValues() {
        // with mse_half and one record, error = y − ŷ and output_error_term = error·ŷ(1 − ŷ) exactly as the notes
        Network net = notesNetwork();
        Tensor x = Tensor.of(new float[] {0.5f, 0.1f, -0.2f}, 1, 3), y = Tensor.of(new float[] {0.6f}, 1, 1);
        DeltaRule notes = new DeltaRule(3, 2, 1);
        float[] w = net.parameter("dense0.weight").value().data();
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) notes.weightsInputHidden[i][j] = w[j * 3 + i];
        notes.weightsHiddenOutput[0][0] = 0.1f;
        notes.weightsHiddenOutput[1][0] = -0.3f;
        float yHat = notes.run(x.data())[0];
        float error = 0.6f - yHat;
        String text = new Trace(net, Losses.byName("mse_half")).step(x, y);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%10.4g", error)), "error " + error + " not in\n" + text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%10.4g", error * yHat * (1 - yHat))), text);
    }

    @Test
    void stageNamesForDeeperNetworks() {
        List<Layer> layers = new Network(4).add(new Dense(4, 4)).add(new ReLU()).add(new Dense(4, 4)).add(new ReLU())
                .add(new Dense(4, 2)).layers();
        assertArrayEquals(new String[] {"hidden1_input", "hidden1_output", "hidden2_input", "hidden2_output", "output"},
                Trace.stageNames(layers));
        assertEquals("output", Trace.stageNames(new Network(3).add(new Dense(3, 1)).layers())[0]);
    }
}
