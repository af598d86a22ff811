package backprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.loss.Losses;
import backprop.optim.Sgd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tensor.Tensor;

/**
 * The "Embedding nabla" example of docs/embedding.md, compiled and run; a second test checks that the page
 * shows exactly the code between the markers below.
 */
class EmbeddingExampleTest {
    @Test
    void buildTrainPredict() {
        // README:begin
        // A 4-feature, 3-class classifier: 4 → 16 ReLU → 3, softmax cross-entropy on the logits.
        Network net = new Network(4)
                .add(new Dense(4, 16)).add(new ReLU())
                .add(new Dense(16, 3))
                .initialize(Initializer.HE_NORMAL, 42);          // one seed: the same weights every run
        Trainer trainer = new Trainer(net, Losses.byName("softmax_ce"), new Sgd(net, 0.1f).momentum(0.9f));

        Tensor x = Tensor.of(new float[] {
                1.0f, 0.1f, 0.0f, 0.2f,
                0.9f, 0.0f, 0.1f, 0.1f,
                0.1f, 1.0f, 0.2f, 0.0f,
                0.0f, 0.8f, 0.1f, 0.2f,
                0.2f, 0.1f, 1.0f, 0.9f,
                0.1f, 0.0f, 0.9f, 1.0f}, 6, 4);                  // [batch, features]
        Tensor y = Tensor.of(new float[] {0, 0, 1, 1, 2, 2}, 6);   // class indices
        double loss = 0;
        for (int step = 0; step < 200; step++) loss = trainer.step(x, y);

        Tensor scores = net.predict(x);                             // [6, 3] logits, evaluation mode
        Tensor w0 = net.parameter("dense0.weight").value();         // [16][4]: PyTorch's Linear layout
        // README:end

        assertTrue(loss < 0.01, "loss " + loss);
        for (int r = 0; r < 6; r++) {
            int best = 0;
            for (int j = 1; j < 3; j++) if (scores.get(r, j) > scores.get(r, best)) best = j;
            assertEquals((int) y.get(r), best, "row " + r);
        }
        assertEquals(16, w0.dim(0));
    }

    @Test
    void readmeShowsThisCode() throws IOException {
        String source = Files.readString(Path.of("src/test/java/backprop/EmbeddingExampleTest.java"), StandardCharsets.UTF_8);
        String body = source.substring(source.indexOf("// README:begin\n") + "// README:begin\n".length(), source.indexOf("        // README:end"));
        String snippet = body.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip()).collect(Collectors.joining("\n"));
        String readme = Files.readString(Path.of("docs/embedding.md"), StandardCharsets.UTF_8);
        assertTrue(readme.startsWith("# Embedding nabla"), "docs/embedding.md lacks its title '# Embedding nabla'");
        assertTrue(readme.contains(snippet), "docs/embedding.md's example differs from EmbeddingExampleTest; paste this:\n" + snippet);
    }
}
