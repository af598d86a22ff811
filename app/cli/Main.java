package app.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import kernels.Warmup;

/**
 * The {@code nabla} command: {@code nabla <command> [flags]}. Exit codes: 0 success, 2 bad
 * usage, 1 failure; errors go to stderr as one line that says what to do.
 */
public final class Main {
    /** A sub-command: runs with its arguments, returns the exit code. */
    public interface Command {
        int run(String[] args, PrintStream out, PrintStream err) throws Exception;
    }

    private static final Map<String, String> HELP = new LinkedHashMap<>();
    private static final Map<String, Function<Void, Command>> COMMANDS = new LinkedHashMap<>();

    static {
        register("train", "train a network (default: the embedded digits, in seconds); test accuracy, confusion matrix, loss.png",
                v -> new TrainCommand());
        register("eval", "a saved model's loss, accuracy and confusion matrix on a dataset", v -> new EvalCommand());
        register("predict", "the top-k classes and probabilities of inputs, from a saved model", v -> new PredictCommand());
        register("serve", "saved models as a web service: KServe v2 and TorchServe endpoints, micro-batching, metrics, a web page",
                v -> new ServeCommand());
        register("tune", "hyperparameter search over train flags: random, grid or ASHA; resumable; the best as a train command",
                v -> new TuneCommand());
        register("lr-find", "the learning-rate range test: suggested rate and a plot of loss vs lr", v -> new LrFindCommand());
        register("top-losses", "the examples with the highest loss, as a table and an image grid", v -> new TopLossesCommand());
        register("gradcheck", "finite-difference check of every gradient of a model", v -> new GradCheckCommand(false));
        register("trace", "one training step's intermediates under the derivation's names", v -> new GradCheckCommand(true));
        register("info", "what this machine gives nabla: threads, vector width, GEMM micro-kernel", v -> new InfoCommand());
        register("gpu-info", "whether a CUDA GPU is usable (and why not), and the backend --backend auto picks", v -> new GpuInfoCommand());
        register("clean", "rank the examples whose label is likely wrong, and a page to keep, delete or relabel them; --report CSV",
                v -> new CleanCommand());
        register("sentiment", "bag-of-words sentiment: train (sparse, index-based), predict, words, generate", v -> new SentimentCommand());
    }

    /**
     * The commands that run the kernels enough for a warm-up to pay; {@code train} starts its own
     * once it knows the model's activation (TrainCommand).
     */
    private static final Set<String> COMPUTES = Set.of("tune", "eval", "lr-find", "top-losses", "clean", "sentiment", "serve");

    private Main() {}

    static void register(String name, String help, Function<Void, Command> factory) {
        HELP.put(name, help);
        COMMANDS.put(name, factory);
    }

    public static void main(String[] args) {
        // the kernels compile on a second thread while the command parses flags and reads its data
        if (args.length > 0 && COMPUTES.contains(args[0])) Warmup.start();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line and returns the exit code (tests call this directly). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version")) {
            String v = Main.class.getPackage().getImplementationVersion();
            out.println("nabla " + (v == null ? "(classes, not the jar)" : v) + ", java " + Runtime.version());
            return 0;
        }
        Function<Void, Command> factory = COMMANDS.get(args[0]);
        if (factory == null) {
            err.println("nabla: unknown command '" + args[0] + "'; run ./nabla --help for the list");
            return 2;
        }
        try {
            return factory.apply(null).run(Arrays.copyOfRange(args, 1, args.length), out, err);
        } catch (UsageException e) {
            err.println("nabla " + args[0] + ": " + e.getMessage() + " (see ./nabla " + args[0] + " --help)");
            return 2;
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            // their message is the path alone: add the reason
            err.println("nabla " + args[0] + ": " + e.getFile() + ": " + UserPaths.reason(e));
            return 1;
        } catch (Exception e) {
            err.println("nabla " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (OutOfMemoryError e) {
            // the memory budget should refuse first; this is the last resort's one line
            err.println("nabla " + args[0] + ": out of memory (" + e.getMessage() + ") with a heap of "
                    + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; use a smaller model or batch, or raise -Xmx in NABLA_JAVA_OPTS");
            return 1;
        }
    }

    static void usage(PrintStream out) {
        out.println("nabla: a pure-Java float32 engine for neural networks, with hand-written kernels");
        out.println();
        out.println("usage: ./nabla <command> [flags]      ./nabla <command> --help for its flags      ./nabla --version");
        out.println();
        out.println("commands:");
        HELP.forEach((name, help) -> out.printf("  %-12s %s%n", name, help));
    }

    /** Bad usage: exit code 2. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
