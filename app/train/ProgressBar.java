package app.train;

import backprop.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of one epoch: on a terminal, a bar redrawn in place with {@code \r}
 * ({@code epoch 3/10 [=====>    ] 120/469  loss 0.4312  18234 ex/s  ETA 0:07}), at most every
 * {@link #REDRAW_NANOS}; elsewhere (a log file, a pipe, CI) a plain line every
 * {@code plainIntervalNanos}, so logs stay short but show life. {@link #update} costs a clock
 * read and nothing else between redraws.
 */
public final class ProgressBar implements TrainingListener {
    /** Terminal redraws at most 10 times a second. */
    public static final long REDRAW_NANOS = 100_000_000L;
    /** Plain lines at most every 10 seconds by default. */
    public static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long plainInterval;

    private String label = "";
    private int total;
    private long startNanos;
    private long lastDrawNanos;
    private int lastLength;

    /**
     * @param terminal true to redraw one line in place (see {@link #isTerminal()})
     * @param clock nanoseconds, {@code System::nanoTime} outside tests
     */
    public ProgressBar(PrintStream out, boolean terminal, LongSupplier clock, long plainIntervalNanos) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.plainInterval = plainIntervalNanos;
    }

    /** On standard output, as a bar when it is a terminal. */
    public static ProgressBar toStdout() {
        return new ProgressBar(System.out, isTerminal(), System::nanoTime, PLAIN_INTERVAL_NANOS);
    }

    /** True when standard input and output are an interactive terminal. */
    public static boolean isTerminal() {
        return System.console() != null;
    }

    private int epochs;

    /** The run's epoch count, for the label "epoch e/N" when the bar listens to a training loop. */
    public ProgressBar epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    @Override
    public void onEpochStart(int epoch, int batches) {
        start("epoch " + epoch + (epochs > 0 ? "/" + epochs : ""), batches);
    }

    @Override
    public void onTrainingBatch(int epoch, long step, int batch, int rows, double loss, double epochLoss, long examples) {
        update(batch, examples, epochLoss);
    }

    @Override
    public void onEpochTrained(int epoch) {
        finish();
    }

    /** Starts an epoch of {@code totalBatches} batches, named by {@code label} (e.g. "epoch 3/10"). */
    public void start(String label, int totalBatches) {
        this.label = label;
        this.total = totalBatches;
        this.startNanos = clock.getAsLong();
        this.lastDrawNanos = startNanos;
        this.lastLength = 0;
    }

    /** After a batch: {@code batchesDone} of the total, examples seen this epoch, the running mean loss. */
    public void update(int batchesDone, long examplesDone, double loss) {
        long now = clock.getAsLong();
        boolean last = batchesDone >= total;
        if (terminal) {
            if (!last && now - lastDrawNanos < REDRAW_NANOS) return;
            lastDrawNanos = now;
            String line = render(batchesDone, examplesDone, loss, now, true);
            // pad over the previous, possibly longer, line before returning to column 0
            String pad = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
            out.print("\r" + line + pad);
            out.flush();
            lastLength = line.length();
        } else {
            if (last || now - lastDrawNanos < plainInterval) return;
            lastDrawNanos = now;
            out.println(render(batchesDone, examplesDone, loss, now, false));
        }
    }

    /** Ends the epoch: on a terminal the bar is erased so the epoch's summary line takes its place. */
    public void finish() {
        if (terminal && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
        }
        lastLength = 0;
    }

    String render(int done, long examples, double loss, long now, boolean bar) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? examples / seconds : 0;
        // ETA: the remaining batches at the mean time per batch so far
        double eta = done > 0 ? seconds * (total - done) / done : Double.NaN;
        StringBuilder sb = new StringBuilder(label);
        if (bar) {
            int filled = total > 0 ? (int) ((long) WIDTH * done / total) : WIDTH;
            sb.append(" [").append("=".repeat(Math.max(0, filled - 1))).append(filled > 0 ? (done >= total ? "=" : ">") : "")
                    .append(" ".repeat(WIDTH - filled)).append("] ");
        } else {
            sb.append(": ");
        }
        sb.append(done).append('/').append(total).append(bar ? "" : " batches");
        sb.append(bar ? "  loss " : ", loss ").append(String.format(Locale.ROOT, "%.4f", loss));
        sb.append(bar ? "  " : ", ").append(String.format(Locale.ROOT, "%.0f", rate)).append(" ex/s");
        sb.append(bar ? "  ETA " : ", ETA ").append(clock(eta));
        return sb.toString();
    }

    /** m:ss, or h:mm:ss past an hour; "?" before the first batch. */
    static String clock(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
