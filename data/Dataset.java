package data;

import backprop.Shuffle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import tensor.Tensor;

/**
 * A labelled dataset in memory: features as a Tensor [n, d] of float32 (pixels scaled to [0, 1]
 * by the image loaders; CSV values as they are), an int label per row in [0, numClasses), the
 * class names, and for images the shape of a row seen as an image (for augmentation and plots).
 */
public final class Dataset {
    /** Default bound on the float32 features a loader may allocate: 2 GiB, or -Dnabla.data.maxBytes. */
    public static final long DEFAULT_MAX_BYTES = 2L << 30;

    private final String name;
    private final Tensor features;
    private final int[] labels;
    private final int numClasses;
    private final ImageShape imageShape;
    private final List<String> classNames;
    /** Where each example came from (an image folder's file paths), or null. */
    private final List<String> sources;

    /** A train set and a test set. */
    public record Split(Dataset train, Dataset test) {}

    /**
     * @param imageShape null when rows are not images
     * @param classNames null for "0", "1", ...; else exactly numClasses names
     */
    public Dataset(String name, Tensor features, int[] labels, int numClasses, ImageShape imageShape, List<String> classNames) {
        this(name, features, labels, numClasses, imageShape, classNames, null);
    }

    private Dataset(String name, Tensor features, int[] labels, int numClasses, ImageShape imageShape, List<String> classNames,
                    List<String> sources) {
        if (features.rank() != 2) throw new IllegalArgumentException(name + ": features must be [n, d], got shape " + Arrays.toString(features.shape()));
        if (!features.contiguous()) throw new IllegalArgumentException(name + ": features must be contiguous");
        if (features.dim(0) != labels.length) {
            throw new IllegalArgumentException(name + ": " + features.dim(0) + " feature rows but " + labels.length + " labels");
        }
        if (numClasses <= 0) throw new IllegalArgumentException(name + ": numClasses must be positive, got " + numClasses);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of example " + i + " is outside [0, " + numClasses + ")");
            }
        }
        if (imageShape != null && imageShape.size() != features.dim(1)) {
            throw new IllegalArgumentException(name + ": image shape " + imageShape + " has " + imageShape.size()
                    + " values but a row has " + features.dim(1));
        }
        if (classNames == null) {
            List<String> names = new ArrayList<>();
            for (int c = 0; c < numClasses; c++) names.add(Integer.toString(c));
            classNames = names;
        } else if (classNames.size() != numClasses) {
            throw new IllegalArgumentException(name + ": " + classNames.size() + " class names for " + numClasses + " classes");
        }
        this.name = name;
        this.features = features;
        this.labels = labels;
        this.numClasses = numClasses;
        this.imageShape = imageShape;
        this.classNames = Collections.unmodifiableList(new ArrayList<>(classNames));
        if (sources != null && sources.size() != labels.length) {
            throw new IllegalArgumentException(name + ": " + sources.size() + " sources for " + labels.length + " examples");
        }
        this.sources = sources == null ? null : List.copyOf(sources);
    }

    /**
     * The bound on feature bytes a loader may allocate: {@code -Dnabla.data.maxBytes}, else 2 GiB or
     * 2/3 of the heap if less (the memory budget's limit), so a dataset too big for this JVM is
     * refused from its header instead of running out of memory while it is read.
     */
    public static long maxBytes() {
        Long configured = Long.getLong("nabla.data.maxBytes");
        return configured != null ? configured : Math.min(DEFAULT_MAX_BYTES, Runtime.getRuntime().maxMemory() / 3 * 2);
    }

    public String name() { return name; }
    /** Number of examples n. */
    public int size() { return labels.length; }
    /** Features per example d. */
    public int dim() { return features.dim(1); }
    /** The features [n, d] (shared, not a copy). */
    public Tensor features() { return features; }
    /** The labels, one per row (shared, not a copy). */
    public int[] labels() { return labels; }
    public int numClasses() { return numClasses; }
    public Optional<ImageShape> imageShape() { return Optional.ofNullable(imageShape); }
    public List<String> classNames() { return classNames; }
    public String className(int c) { return classNames.get(c); }

    /**
     * Where each example came from, one per row, when the loader knows: an image folder's file paths
     * relative to its root ({@code cat/001.png}). Rows keep their source through {@link #subset} and
     * {@link #stratifiedSplit}.
     */
    public Optional<List<String>> sources() { return Optional.ofNullable(sources); }

    /** This dataset (features and labels shared) with {@code rowSources} as the origin of its rows, one per row. */
    public Dataset withSources(List<String> rowSources) {
        return new Dataset(name, features, labels, numClasses, imageShape, classNames, rowSources);
    }

    /** Examples per class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int y : labels) counts[y]++;
        return counts;
    }

    /** A copy holding the rows {@code indexes}, in that order. */
    public Dataset subset(String subsetName, int[] indexes) {
        int d = dim();
        Tensor x = Tensor.zeros(indexes.length, d);
        int[] y = new int[indexes.length];
        for (int i = 0; i < indexes.length; i++) {
            System.arraycopy(features.data(), features.offset() + indexes[i] * d, x.data(), i * d, d);
            y[i] = labels[indexes[i]];
        }
        List<String> from = null;
        if (sources != null) {
            from = new ArrayList<>(indexes.length);
            for (int i : indexes) from.add(sources.get(i));
        }
        return new Dataset(subsetName, x, y, numClasses, imageShape, classNames, from);
    }

    /**
     * A stratified split: in each class, a seeded shuffle puts round(testFraction · count) examples
     * in the test set and the rest in the train set; both keep the original order. The same seed
     * always gives the same split.
     */
    public Split stratifiedSplit(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        int[] counts = classCounts();
        boolean[] inTest = new boolean[size()];
        Rng rng = new Rng(seed);
        for (int c = 0; c < numClasses; c++) {
            int[] members = new int[counts[c]];
            int k = 0;
            for (int i = 0; i < size(); i++) if (labels[i] == c) members[k++] = i;
            Shuffle.fisherYates(members, members.length, rng);
            int testCount = (int) Math.round(testFraction * members.length);
            for (int i = 0; i < testCount; i++) inTest[members[i]] = true;
        }
        int nTest = 0;
        for (boolean b : inTest) if (b) nTest++;
        int[] train = new int[size() - nTest];
        int[] test = new int[nTest];
        int a = 0, b = 0;
        for (int i = 0; i < size(); i++) {
            if (inTest[i]) test[b++] = i; else train[a++] = i;
        }
        return new Split(subset(name + "/train", train), subset(name + "/test", test));
    }

    /** The rows of {@code parts} one after another (same dim and classes; the first part gives image shape and names). */
    public static Dataset concat(String name, List<Dataset> parts) {
        Dataset first = parts.get(0);
        int n = 0;
        for (Dataset p : parts) {
            if (p.dim() != first.dim() || p.numClasses != first.numClasses) {
                throw new IllegalArgumentException("cannot join " + p.name + " (dim " + p.dim() + ", " + p.numClasses
                        + " classes) to " + first.name + " (dim " + first.dim() + ", " + first.numClasses + " classes)");
            }
            n += p.size();
        }
        Tensor x = Tensor.zeros(n, first.dim());
        int[] y = new int[n];
        int at = 0;
        for (Dataset p : parts) {
            System.arraycopy(p.features.data(), p.features.offset(), x.data(), at * first.dim(), p.size() * first.dim());
            System.arraycopy(p.labels, 0, y, at, p.size());
            at += p.size();
        }
        return new Dataset(name, x, y, first.numClasses, first.imageShape, first.classNames);
    }

    @Override
    public String toString() {
        return name + ": " + size() + " examples of " + dim() + " features" + (imageShape != null ? " (" + imageShape + " images)" : "")
                + ", " + numClasses + " classes";
    }
}
