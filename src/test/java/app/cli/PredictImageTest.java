package app.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nabla predict --image}: image files prepared as training prepared its images, as the server does. */
class PredictImageTest {
    @TempDir
    Path dir;

    private static String run(int exit, String... args) {
        return TrainCommandTest.run(exit, args);
    }

    @Test
    void predictsImageFiles() throws Exception {
        Path ck = dir.resolve("m.safetensors");
        run(0, "train", "--epochs", "2", "--checkpoint", ck.toString(), "--out", dir.toString());
        BufferedImage img = new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(20, 5, 10, 40);
        g.dispose();
        Path a = dir.resolve("one.png");
        Path b = dir.resolve("one.jpg");
        ImageIO.write(img, "png", a.toFile());
        ImageIO.write(img, "jpg", b.toFile());
        String out = run(0, "predict", "--checkpoint", ck.toString(), "--image", a.toString(), "--image", b.toString(), "--top", "2");
        assertTrue(out.contains(a + ": ") && out.contains(b + ": "), out);
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not an image");
        assertTrue(run(1, "predict", "--checkpoint", ck.toString(), "--image", junk.toString()).contains("junk.png"));
        assertTrue(run(2, "predict", "--checkpoint", ck.toString(), "--image", a.toString(), "--input", a.toString()).contains("not both"));
    }
}
