package data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.FileFormatException;

class ImageFolderTest {
    @TempDir Path root;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    /** A w×h image filled with one colour. */
    private static void image(Path file, int w, int h, Color c, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, w, h);
        g.dispose();
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(img, format, file.toFile()));
    }

    @Test
    void classesAreSortedFoldersAndImagesAreResized() throws IOException {
        image(root.resolve("cat/a.png"), 64, 48, new Color(255, 0, 0), "png");
        image(root.resolve("cat/b.PNG"), 10, 10, new Color(0, 0, 255), "png");
        image(root.resolve("dog/c.png"), 100, 100, new Color(0, 255, 0), "png");
        image(root.resolve("ant/d.jpg"), 20, 30, new Color(255, 255, 255), "jpg");
        Files.writeString(root.resolve("dog/notes.txt"), "not an image");

        Dataset rgb = ImageFolder.load(root, 8, 6, true, 1 << 30);
        assertEquals(List.of("ant", "cat", "dog"), rgb.classNames());
        assertEquals(4, rgb.size());
        assertEquals(new ImageShape(3, 6, 8), rgb.imageShape().orElseThrow());
        // cat/a.png is pure red: R plane 1, G and B planes 0 (PNG is lossless, a uniform image resizes exactly).
        assertEquals(1, rgb.labels()[1]);
        assertEquals(1f, rgb.features().get(1, 0));
        assertEquals(0f, rgb.features().get(1, 48));
        assertEquals(0f, rgb.features().get(1, 96 + 47));
        // ant/d.jpg is white; JPEG is lossy, but a flat white block decodes to within 2/255.
        assertEquals(1f, rgb.features().get(0, 20), 2f / 255f);

        Dataset gray = ImageFolder.load(root, 4, 4, false, 1 << 30);
        assertEquals(new ImageShape(1, 4, 4), gray.imageShape().orElseThrow());
        // Luma of pure green is 0.587; of pure blue 0.114 (float rounding of the weighted sum: 1e-6).
        assertEquals(0.587f, gray.features().get(3, 5), 1e-6f);
        assertEquals(0.114f, gray.features().get(2, 0), 1e-6f);
    }

    @Test
    void badFoldersAndFilesAreNamed() throws IOException {
        FileFormatException empty = assertThrows(FileFormatException.class, () -> ImageFolder.load(root, 8, 8, false, 1 << 30));
        assertTrue(empty.getMessage().contains("no class sub-folders"), empty.getMessage());
        Files.createDirectories(root.resolve("a"));
        FileFormatException none = assertThrows(FileFormatException.class, () -> ImageFolder.load(root, 8, 8, false, 1 << 30));
        assertTrue(none.getMessage().contains("hold no .png or .jpg images"), none.getMessage());
        Path fake = root.resolve("a/fake.png");
        Files.writeString(fake, "this is text, not a PNG");
        FileFormatException bad = assertThrows(FileFormatException.class, () -> ImageFolder.load(root, 8, 8, false, 1 << 30));
        assertTrue(bad.getMessage().startsWith(fake.toString()), bad.getMessage());
        image(root.resolve("b/ok.png"), 4, 4, Color.BLACK, "png");
        FileFormatException bound = assertThrows(FileFormatException.class, () -> ImageFolder.load(root, 100, 100, true, 1000));
        assertTrue(bound.getMessage().contains("more than the bound"), bound.getMessage());
        assertThrows(DatasetNotFoundException.class, () -> ImageFolder.load(root.resolve("missing"), 8, 8, false, 1 << 30));
    }
}
