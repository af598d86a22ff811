package data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds a dataset by the name given to {@code --data}: {@code digits} (embedded), {@code fashion-mnist}
 * and {@code mnist} (IDX files), {@code cifar10} (binary batches); or by path: a {@code .csv} file,
 * a folder of IDX files or CIFAR-10 batches, or a folder of class sub-folders of images. A dataset
 * without its own test set is split per class with a fixed seed. Named datasets are looked up in {@code $NABLA_DATA/<name>}, then
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

    /**
     * How to read a dataset given by path: the CSV options, the image size and colour of an image
     * folder, and the seeded stratified split of a dataset that has no test set of its own.
     */
    public record Options(Csv.Options csv, int imageWidth, int imageHeight, boolean rgb, double testFraction, long splitSeed) {
        public static Options defaults() {
            return new Options(Csv.Options.defaults(), 28, 28, false, 0.2, Digits.SPLIT_SEED);
        }
        public Options withCsv(Csv.Options c) { return new Options(c, imageWidth, imageHeight, rgb, testFraction, splitSeed); }
        public Options withImageSize(int w, int h, boolean color) { return new Options(csv, w, h, color, testFraction, splitSeed); }
        public Options withSplit(double fraction, long seed) { return new Options(csv, imageWidth, imageHeight, rgb, fraction, seed); }
    }

    /** Opens {@code --data SPEC} with the process environment and default options. */
    public static Dataset.Split open(String spec) throws IOException {
        return open(spec, Options.defaults());
    }

    /** Opens {@code --data SPEC}: a name, a .csv[.gz] file, a folder of IDX files or CIFAR batches, or an image folder. */
    public static Dataset.Split open(String spec, Options options) throws IOException {
        return open(spec, options, System.getenv(), List.of(SYSTEM_ROOT));
    }

    /** As {@link #open(String)} with an explicit environment and system roots (tests use it). */
    static Dataset.Split open(String spec, Map<String, String> env, List<Path> systemRoots) throws IOException {
        return open(spec, Options.defaults(), env, systemRoots);
    }

    static Dataset.Split open(String spec, Options options, Map<String, String> env, List<Path> systemRoots) throws IOException {
        String name = spec.toLowerCase(Locale.ROOT);
        switch (name) {
            case "digits":
                return Digits.split();
            case "fashion-mnist":
            case "mnist":
                return idx(name, locate(name, env, systemRoots, IDX_FILES), name.equals("mnist") ? null : FASHION_MNIST_CLASSES);
            case "cifar10":
            case "cifar-10":
                return Cifar10.load(locate("cifar-10-batches-bin", env, systemRoots, new String[] {"test_batch.bin"}), Dataset.maxBytes());
            default:
                break;
        }
        Path p = Path.of(spec);
        if (Files.isRegularFile(p) && (name.endsWith(".csv") || name.endsWith(".csv.gz"))) {
            return Csv.load(p, options.csv).stratifiedSplit(options.testFraction, options.splitSeed);
        }
        if (Files.isDirectory(p)) {
            if (hasAll(p, IDX_FILES)) return idx(p.getFileName().toString(), p, null);
            if (Files.isRegularFile(p.resolve("test_batch.bin"))) return Cifar10.load(p, Dataset.maxBytes());
            return ImageFolder.load(p, options.imageWidth, options.imageHeight, options.rgb, Dataset.maxBytes())
                    .stratifiedSplit(options.testFraction, options.splitSeed);
        }
        throw new DatasetNotFoundException("unknown dataset '" + spec + "': use one of " + names()
                + ", a .csv file, or a folder (IDX files, CIFAR-10 batches, or <class>/<image>.png)");
    }

    private static Dataset.Split idx(String name, Path dir, List<String> classes) throws IOException {
        return new Dataset.Split(
                Idx.load(name + "/train", idxFile(dir, IDX_FILES[0]), idxFile(dir, IDX_FILES[1]), 10, classes, Dataset.maxBytes()),
                Idx.load(name + "/test", idxFile(dir, IDX_FILES[2]), idxFile(dir, IDX_FILES[3]), 10, classes, Dataset.maxBytes()));
    }

    private static boolean hasAll(Path dir, String[] files) {
        for (String f : files) {
            if (!Files.isRegularFile(dir.resolve(f)) && !Files.isRegularFile(dir.resolve(f + ".gz"))) return false;
        }
        return true;
    }

    /** The folder holding {@code name}: $NABLA_DATA/name, then each system root; else one line on how to get it. */
    static Path locate(String name, Map<String, String> env, List<Path> systemRoots, String[] files) throws DatasetNotFoundException {
        List<Path> tried = new ArrayList<>();
        String base = env.get("NABLA_DATA");
        if (base != null && !base.isEmpty()) tried.add(Path.of(base, name));
        for (Path root : systemRoots) tried.add(root.resolve(name));
        for (Path dir : tried) {
            if (hasAll(dir, files)) return dir;
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
