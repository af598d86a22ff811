package app.train;

import backprop.Loss;
import backprop.Network;
import backprop.StepEngine;
import backprop.layers.Dropout;
import cuda.Backend;
import cuda.DeviceBuffer;
import cuda.Gpu;
import cuda.GpuMlp;
import cuda.GpuStatus;
import cuda.GpuUnavailableException;
import java.io.PrintStream;
import java.util.Locale;
import tensor.Tensor;

/**
 * The {@code --backend auto|cpu|cuda} switch of {@code nabla train}: chooses where a run's steps go,
 * prints the one line that says so, and for cuda moves them onto a {@link GpuMlp} mirror of the run's
 * network (the weights go up once; after each epoch they come back for validation and the checkpoint).
 * <pre>
 * backend: cpu (cuda unavailable: libcuda.so.1 not found)                auto, no GPU
 * backend: cpu (requested)                                               cpu
 * backend: cuda (NVIDIA H100 80GB HBM3, sm_90, ...)                      auto or cuda, a GPU, a model it mirrors
 * backend: cpu (cuda: NVIDIA H100 ..., but loss weighted_softmax_ce has no GPU version)    auto, a model it does not
 * </pre>
 * {@code cuda} without a GPU throws {@link GpuUnavailableException} with the probe's reason; {@code cuda}
 * with a model the GPU step does not mirror throws {@link UnsupportedOperationException}
 * ("backend cuda: loss weighted_softmax_ce has no GPU version; use --backend cpu"): the CLI exits 1 with either.
 * Every layer {@code train} builds, and every loss but the class-weighted one ({@code --balance weights}), has a GPU
 * version; {@link GpuMlp#unsupported} names what has none (also a layer of a network built elsewhere that no kernel
 * mirrors).
 */
public final class GpuTraining {
    private GpuTraining() {}

    /**
     * Chooses the backend of {@code run} for {@code flag} with this machine's probe (not touched for cpu),
     * installs the GPU step when it is cuda, prints the line; call it after the run's restore, if any.
     */
    public static Backend use(String flag, Training run, PrintStream out) {
        boolean cpu = flag != null && flag.strip().toLowerCase(Locale.ROOT).equals("cpu");
        Backend.Choice choice = choose(flag, cpu ? null : Gpu.probe(), run.network(), run.loss());
        if (choice.backend() == Backend.CUDA) {
            GpuMlp<DeviceBuffer> mlp = GpuMlp.onGpu(run.network(), run.optimizer(), run.loss(), run.config().batch());
            run.setStepEngine(engine(mlp));
        }
        out.println(choice.line());
        return choice.backend();
    }

    /**
     * The step engine {@code use} installs: each epoch submits its batches to the mirror and reads the
     * losses one step late ({@link GpuMlp#submit}, {@link GpuMlp#takeLoss}); the weights, batch norm statistics and
     * momentum come back after it; the run's dropout reseeds reach the mirror, so it draws the CPU layers' masks.
     */
    static StepEngine<Tensor> engine(GpuMlp<?> mlp) {
        return new StepEngine<Tensor>() {
            @Override
            public double step(Tensor x, Tensor target) {
                return mlp.step(x, target);
            }

            @Override
            public void syncNetwork() {
                mlp.copyToNetwork();
            }

            @Override
            public int pipelineDepth() {
                return GpuMlp.MAX_IN_FLIGHT - 1;
            }

            @Override
            public void submit(Tensor x, Tensor target) {
                mlp.submit(x, target);
            }

            @Override
            public double takeLoss() {
                return mlp.takeLoss();
            }

            @Override
            public void discardInFlight() {
                mlp.discardInFlight();
            }

            @Override
            public void dropoutReseeded(Dropout layer, long seed) {
                mlp.reseedDropout(layer, seed);
            }
        };
    }

    /** The backend for {@code flag}, a probe result (null: not probed, for cpu) and the run's model, and its line. */
    static Backend.Choice choose(String flag, GpuStatus gpu, Network network, Loss loss) {
        Backend.Choice choice = Backend.choose(flag, gpu);
        if (choice.backend() == Backend.CPU) return choice;
        String why = GpuMlp.unsupported(network, loss);
        if (why == null) return choice;
        if (flag != null && flag.strip().toLowerCase(Locale.ROOT).equals("cuda")) {
            throw new UnsupportedOperationException("backend cuda: " + why + "; use --backend cpu");
        }
        return new Backend.Choice(Backend.CPU, "backend: cpu (" + gpu.describe() + ", but " + why + ")");
    }
}
