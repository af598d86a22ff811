package app.serve;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One request's rows on their way through a {@link Batcher}: its raw inputs {@code x} [rows, inputs]
 * in, its class probabilities [rows, classes] out. Each connection owns one Job and reuses it for
 * every request it carries (its arrays grow to the largest request, and drop back after a large one),
 * so a request allocates none. When its batch has run, the batcher's thread hands it to
 * {@code done}, which writes the answer.
 */
final class Job {
    static final int PREDICTIONS = 0, V2 = 1;
    private static final int KEEP_FLOATS = 16 * 1024; // arrays grown past this by a large request are dropped after it

    private final Consumer<Job> done;
    ServedModel model;
    int kind;
    String id;          // the Open Inference Protocol request's id, or null
    float[] x = new float[0];
    int rows;
    float[] probabilities = new float[0];
    RuntimeException failure;

    Job(Consumer<Job> done) {
        this.done = done;
    }

    /** x with room for {@code floats} values (its first values kept). */
    float[] room(int floats) {
        if (x.length < floats) x = Arrays.copyOf(x, Math.max(floats, Math.min(2 * x.length, Integer.MAX_VALUE - 8)));
        return x;
    }

    /** Ready to be queued: {@code rows} rows of x for {@code model}. */
    void prepare(ServedModel model, int kind, int rows) {
        this.model = model;
        this.kind = kind;
        this.rows = rows;
        failure = null;
        int k = rows * model.classes();
        if (probabilities.length < k) probabilities = new float[k];
    }

    /** The batch that held this job has run (failure null) or failed: the answer is written. */
    void complete(RuntimeException failure) {
        this.failure = failure;
        done.accept(this);
    }

    /** After the answer: drops what a large request grew. */
    void release() {
        id = null;
        if (x.length > KEEP_FLOATS) x = new float[0];
        if (probabilities.length > KEEP_FLOATS) probabilities = new float[0];
    }
}
