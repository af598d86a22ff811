package app.clean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import data.Dataset;
import data.Datasets;
import data.ImageFolder;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clean --apply} and {@code --undo} on an image folder: files move, nothing is lost, the undo log puts them back. */
class FolderEditsTest {
    static final LocalDateTime NOW = LocalDateTime.of(2026, 12, 7, 10, 30, 0);

    @TempDir
    Path dir;
    Path root;

    @BeforeEach
    void folder() throws Exception {
        root = dir.resolve("pets");
        for (String f : List.of("cat/1.png", "cat/2.png", "cat/3.png", "dog/2.png", "dog/4.png", "dog/5.png")) image(root.resolve(f), f.hashCode());
    }

    static void image(Path file, int seed) throws Exception {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 16; p++) img.setRGB(p % 4, p / 4, (seed * 31 + p * 977) & 0xffffff);
        ImageIO.write(img, "png", file.toFile());
    }

    /** Every file under the root, path → bytes' hash. */
    private TreeMap<String, Integer> files() throws Exception {
        TreeMap<String, Integer> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".png")).toList()) {
                m.put(root.relativize(p).toString(), java.util.Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return m;
    }

    private LabelOverrides overrides(String... lines) throws Exception {
        Path f = dir.resolve("o.csv");
        Files.writeString(f, LabelOverrides.HEADER + "\n" + String.join("\n", lines) + "\n");
        return LabelOverrides.read(f);
    }

    @Test
    void applyMovesDeletedIntoTheTrashAndRelabelledIntoTheirClassThenUndoPutsThemBack() throws Exception {
        TreeMap<String, Integer> before = files();
        LabelOverrides o = overrides("pets/train,cat/1.png,cat,delete", "pets/test,cat/2.png,cat,dog", "pets/train,dog/4.png,dog,dog",
                "pets/train,dog/5.png,dog,cat");
        FolderEdits.Applied a = FolderEdits.apply(o, root, NOW);
        assertEquals(root.resolve(".nabla-trash/undo-20261207-103000.csv"), a.log());
        assertEquals(1, a.deleted());
        assertEquals(2, a.relabelled());
        assertEquals(1, a.kept());
        TreeMap<String, Integer> after = files();
        // dog/2.png was taken: cat/2.png became dog/2-1.png, its bytes intact
        assertEquals(before.get("cat/2.png"), after.get("dog/2-1.png"));
        assertEquals(before.get("dog/2.png"), after.get("dog/2.png"));
        assertEquals(before.get("cat/1.png"), after.get(".nabla-trash/cat/1.png"));
        assertEquals(before.get("dog/5.png"), after.get("cat/5.png"));
        assertEquals(List.of(".nabla-trash/cat/1.png", "cat/3.png", "cat/5.png", "dog/2-1.png", "dog/2.png", "dog/4.png"), List.copyOf(after.keySet()));
        assertEquals(List.of("from,to", "cat/1.png,.nabla-trash/cat/1.png", "cat/2.png,dog/2-1.png", "dog/5.png,cat/5.png"), Files.readAllLines(a.log()));
        // the loader does not take the trash for a class
        Dataset loaded = ImageFolder.load(root, 4, 4, false, 1 << 20);
        assertEquals(List.of("cat", "dog"), loaded.classNames());
        assertEquals(5, loaded.size());

        // a second apply of the same file finds the files gone and moves nothing
        LabelOverrides.BadFile again = assertThrows(LabelOverrides.BadFile.class, () -> FolderEdits.apply(o, root, NOW));
        assertTrue(again.getMessage().contains("line 2: no image cat/1.png under " + root), again.getMessage());
        assertEquals(after, files());

        FolderEdits.Undone u = FolderEdits.undo(a.log());
        assertEquals(3, u.movedBack());
        assertEquals(0, u.missing());
        assertEquals(before, files());
        assertFalse(Files.exists(a.log()));
        assertTrue(Files.exists(a.log().resolveSibling("undo-20261207-103000.csv.undone")));
    }

    @Test
    void undoNeverOverwritesAFileThatTookThePlace() throws Exception {
        FolderEdits.Applied a = FolderEdits.apply(overrides("pets/train,cat/1.png,cat,delete"), root, NOW);
        image(root.resolve("cat/1.png"), 99); // a new file under the old name since
        TreeMap<String, Integer> newer = files();
        FolderEdits.Undone u = FolderEdits.undo(a.log());
        assertEquals(List.of("cat/1.png → cat/1-1.png"), u.renamed());
        assertEquals(newer.get("cat/1.png"), files().get("cat/1.png"));
        assertEquals(newer.get(".nabla-trash/cat/1.png"), files().get("cat/1-1.png"));
    }

    @Test
    void aBadLineMovesNothing() throws Exception {
        TreeMap<String, Integer> before = files();
        String[][] cases = {
            {"pets/train,cat/3.png,cat,delete\nother/train,cat/1.png,cat,delete", "line 3: dataset 'other/train' is not the image folder"},
            {"pets/train,cat/3.png,cat,delete\npets/train,cat/1.png,dog,delete", "line 3: old label 'dog' does not match the data: cat/1.png is in the folder of class 'cat'"},
            {"pets/train,cat/3.png,cat,delete\npets/train,cat/1.png,cat,bird", "line 3: unknown class 'bird': " + "ROOT has cat, dog (or delete)"},
            {"pets/train,cat/3.png,cat,delete\npets/train,../x.png,cat,dog", "line 3: example '../x.png' is not an image of the folder"},
            {"pets/train,cat/3.png,cat,delete\npets/train,7,cat,dog", "line 3: example '7' is not an image of the folder"},
        };
        for (String[] c : cases) {
            Exception e = assertThrows(LabelOverrides.BadFile.class, () -> FolderEdits.apply(overrides(c[0]), root, NOW));
            String want = c[1].replace("ROOT", root.toString());
            assertTrue(e.getMessage().contains(want), "'" + e.getMessage() + "' should contain '" + want + "'");
            assertEquals(before, files());
        }
        assertFalse(Files.exists(root.resolve(".nabla-trash")));
    }

    @Test
    void trainingOverridesNameTheImagesOfAFolderByPath() throws Exception {
        Dataset.Split data = Datasets.open(root.toString(), Datasets.Options.defaults().withImageSize(4, 4, false).withSplit(0.34, 1));
        List<String> trainFiles = data.train().sources().orElseThrow();
        String first = trainFiles.get(0);
        String cls = first.substring(0, first.indexOf('/'));
        String other = cls.equals("cat") ? "dog" : "cat";
        OverriddenLabels.Result r = OverriddenLabels.apply(overrides("pets/train," + first + "," + cls + "," + other), data, root.toString());
        assertEquals(data.train().classNames().indexOf(other), r.data().train().labels()[0]);
        assertEquals(first, r.data().train().sources().orElseThrow().get(0));
        LabelOverrides.BadFile e = assertThrows(LabelOverrides.BadFile.class,
                () -> OverriddenLabels.apply(overrides("pets/train,0,cat,dog"), data, root.toString()));
        assertTrue(e.getMessage().contains("line 2: no image 0 in pets/train"), e.getMessage());
    }
}
