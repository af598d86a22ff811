package backprop.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds a dataset by the name given to {@code --data}: {@code digits} (embedded), {@code fashion-mnist}
 * and {@code mnist} (IDX files), {@code cifar10} (binary batches), a {@code .csv} file, or a folder
 * of class sub-folders of images. Named datasets are looked up in {@code $NABLA_DATA/<name>}, then
 * in {@code /usr/share/datasets/<name>} (where Debian's {@code dataset-fashion-mnist} package puts them).
 */
public final class Datasets {
    /** The Debian packages' data folder. */
    public static final Path SYSTEM_ROOT = Path.of("/usr/share/datasets");

    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String[] IDX_FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

    private Datasets() {}

    /** The names {@link #open} knows besides paths. */
    public static List<String> names() {
        return List.of("digits", "fashion-mnist", "mnist", "cifar10");
    }

    /** Opens {@code --data SPEC} with the process environment, and its train/test split. */
    public static Dataset.Split open(String spec) throws IOException {
        return open(spec, System.getenv(), List.of(SYSTEM_ROOT));
    }

    /** As {@link #open(String)} with an explicit environment and system roots (tests use it). */
    static Dataset.Split open(String spec, Map<String, String> env, List<Path> systemRoots) throws IOException {
        String name = spec.toLowerCase(Locale.ROOT);
        switch (name) {
            case "digits":
                return Digits.split();
            case "fashion-mnist":
            case "mnist": {
                Path dir = locate(name, env, systemRoots, IDX_FILES);
                List<String> classes = name.equals("mnist") ? null : FASHION_MNIST_CLASSES;
                return new Dataset.Split(
                        Idx.load(name + "/train", idxFile(dir, IDX_FILES[0]), idxFile(dir, IDX_FILES[1]), 10, classes, Dataset.maxBytes()),
                        Idx.load(name + "/test", idxFile(dir, IDX_FILES[2]), idxFile(dir, IDX_FILES[3]), 10, classes, Dataset.maxBytes()));
            }
            case "cifar10":
            case "cifar-10": {
                Path dir = locate("cifar-10-batches-bin", env, systemRoots, new String[] {"test_batch.bin"});
                return Cifar10.load(dir, Dataset.maxBytes());
            }
            default:
                break;
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p) && name.endsWith(".csv")) {
            throw new IllegalArgumentException("a CSV file needs its options: use Csv.load(path, options) and split it");
        }
        if (Files.isDirectory(p)) {
            throw new IllegalArgumentException("an image folder needs a size: use ImageFolder.load(root, width, height, rgb, maxBytes)");
        }
        throw new DatasetNotFoundException("unknown dataset '" + spec + "': use one of " + names() + ", a .csv file or an image folder");
    }

    /** The folder holding {@code name}: $NABLA_DATA/name, then each system root; else one line on how to get it. */
    static Path locate(String name, Map<String, String> env, List<Path> systemRoots, String[] files) throws DatasetNotFoundException {
        List<Path> tried = new ArrayList<>();
        String base = env.get("NABLA_DATA");
        if (base != null && !base.isEmpty()) tried.add(Path.of(base, name));
        for (Path root : systemRoots) tried.add(root.resolve(name));
        for (Path dir : tried) {
            boolean all = true;
            for (String f : files) all &= Files.isRegularFile(dir.resolve(f)) || Files.isRegularFile(dir.resolve(f + ".gz"));
            if (all) return dir;
        }
        String how = switch (name) {
            case "fashion-mnist" -> "install it with 'apt-get install dataset-fashion-mnist' or set NABLA_DATA to a folder holding fashion-mnist/";
            case "mnist" -> "set NABLA_DATA to a folder holding mnist/ with the four IDX files {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]";
            default -> "set NABLA_DATA to a folder holding " + name + "/ (for CIFAR-10: the extracted cifar-10-binary.tar.gz "
                    + "from https://www.cs.toronto.edu/~kriz/cifar.html)";
        };
        throw new DatasetNotFoundException("dataset " + name + " not found in " + tried + ": " + how);
    }

    private static Path idxFile(Path dir, String stem) {
        Path gz = dir.resolve(stem + ".gz");
        return Files.isRegularFile(gz) ? gz : dir.resolve(stem);
    }
}
