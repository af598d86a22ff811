package cuda;

import static org.junit.jupiter.api.Assertions.fail;

import backprop.Layer;
import backprop.Loss;
import backprop.Network;
import backprop.Parameter;
import backprop.Trainer;
import backprop.init.Initializer;
import backprop.layers.BatchNorm;
import backprop.layers.Dense;
import backprop.layers.Dropout;
import backprop.layers.LeakyReLU;
import backprop.layers.LogSoftmax;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Softmax;
import backprop.layers.Tanh;
import backprop.loss.Losses;
import backprop.optim.Regularization;
import backprop.optim.Sgd;
import java.util.SplittableRandom;
import tensor.Tensor;

/**
 * Holds {@link GpuMlp}'s training steps to the CPU's ({@link Trainer} with the same network, loss and
 * {@link Sgd}): two networks with the same seed, the same batch, n steps on each, and after the steps
 * asked for the loss of every step, each parameter and its velocity are compared.
 *
 * <p><b>Tolerance.</b> Both sides compute the same formulas in float32 but not the same roundings: the
 * GEMMs sum in other orders (the CPU's blocked micro-kernel against one accumulator a GPU thread), exp,
 * log and tanh differ (CUDA's expf and tanhf are within 2 ulp, logf within 1; the CPU uses its own
 * polynomial exp), the bias is added inside or after the GEMM, softmax reduces in a tree. Each is an error
 * of a few units of roundoff u = 2⁻²⁴ times the sum of the absolute values of the terms it sums. Along a
 * step the sums are: each layer's forward product (k = its inputs), each backward input gradient
 * (k = its outputs) and each weight gradient (k = the batch), so a gradient carries a relative error of
 * at most about ρ = (K + 16)·u with K = Σ_dense (in + out) + batch, the 16 covering the elementwise
 * functions (2 ulp each), softmax and the update's roundings. That error is relative to sums of absolute
 * values; a gradient summed over a batch of random samples cancels to about 1/√batch of such a sum, so the
 * bound is taken relative to the largest change of the parameter tensor and widened by √batch:
 * <pre>
 *   |w_mirror − w_cpu| ≤ 2·√batch·ρ·max|w_t − w_0|  +  t·ulp(max|w|)
 * </pre>
 * the second term for the rounding of w itself at each of t steps, where the two sides' updates differ in
 * the last bit. The factor 2 is for the two sides each being off by up to the bound. Over 5 steps on one
 * batch with lr 0.05 the error feeds back through the weights by a factor 1 + lr·(gradient's Lipschitz
 * constant) a step, a few per cent here: inside the factor 2. The velocity is compared the same way
 * against max|v|. The loss is a mean of log-sum-exp − z, 1-Lipschitz in the logits z, whose forward error
 * is at most ρ·(their scale): |E_mirror − E_cpu| ≤ 2·ρ·(max|z| + E). A ReLU whose input lies within the
 * forward error of 0 may switch on one side only; with random inputs that has a chance of about
 * ρ·(hidden units·batch), negligible here.
 *
 * <p><b>The other layers and losses.</b> Leaky ReLU and dropout compute the CPU's float expressions on the same
 * inputs (dropout with the same masks: both sides' layers are reseeded alike, {@link #reseedDropouts}), so they add no
 * rounding of their own beyond the 16·u. Log-softmax and the Softmax layer are softmax's reductions again (inside the
 * 16). The row losses
 * (mse, mse_half, sse, l1, bce_logits, nll, hinge) have a gradient that is the CPU's float expression of the outputs
 * (bce's with CUDA's expf, 2 ulp), so the output's error carries on as above; their value moves by at most
 * G·max|Δz| with G = Σ|∂E/∂z| (first order; {@link #lossLipschitz}) and by each row's sum rounded to float (u·E),
 * so |E_mirror − E_cpu| ≤ 2ρ·(G·max|z| + E). l1's and the hinge's gradients jump where an output crosses its
 * target or a margin crosses 0; with random targets that is as unlikely as the ReLU's switch above. Batch norm divides
 * by the batch's spread, which amplifies the error before it: ρ is multiplied by {@link BatchNormCondition}'s 1 + 3κ,
 * and the running statistics are compared there. A gradient that cancels (the bias of a Dense before a batch norm)
 * needs a bound relative to its terms rather than to itself: {@link CancellationBound} adds it.
 */
public final class StepAgreement {
    private StepAgreement() {}

    static final double U = Math.ulp(1f) / 2;

    /**
     * One comparison: the model, hidden activation, batch, optimizer, what is frozen, the loss (a name of
     * {@link Losses#byName}), and whether each hidden stage has a batch norm (after its Dense) and a dropout
     * of that rate (after its activation), as {@code app.train.ModelSpec} builds them. As there, an nll model ends
     * in a LogSoftmax layer and an mse, sse or l1 model in a Softmax layer; the others (mse_half: a regression on the
     * raw outputs) end in the last Dense.
     */
    record Setup(int[] sizes, String activation, int batch, float lr, float momentum, float l1, float l2, boolean softTargets,
                 String frozen, long seed, String loss, boolean batchNorm, float dropout) {
        Setup(int[] sizes, String activation, int batch, float lr, float momentum, float l1, float l2, boolean softTargets,
              String frozen, long seed) {
            this(sizes, activation, batch, lr, momentum, l1, l2, softTargets, frozen, seed, "ce", false, 0f);
        }

        Setup withFrozen(String name) {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, softTargets, name, seed, loss, batchNorm, dropout);
        }

        Setup withSoftTargets() {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, true, frozen, seed, loss, batchNorm, dropout);
        }

        Setup withBatch(int b) {
            return new Setup(sizes, activation, b, lr, momentum, l1, l2, softTargets, frozen, seed, loss, batchNorm, dropout);
        }

        Setup withLoss(String name) {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, softTargets, frozen, seed, name, batchNorm, dropout);
        }

        Setup withBatchNorm() {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, softTargets, frozen, seed, loss, true, dropout);
        }

        Setup withDropout(float p) {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, softTargets, frozen, seed, loss, batchNorm, p);
        }

        Setup withActivation(String f) {
            return new Setup(sizes, f, batch, lr, momentum, l1, l2, softTargets, frozen, seed, loss, batchNorm, dropout);
        }

        Setup withLearningRate(float rate) {
            return new Setup(sizes, activation, batch, rate, momentum, l1, l2, softTargets, frozen, seed, loss, batchNorm, dropout);
        }

        /** True when the loss takes [batch] class indices, false when it takes [batch, outputs] rows. */
        boolean indexTargets() {
            return loss.equals("ce") || loss.equals("softmax_ce") || loss.equals("nll") || loss.equals("hinge");
        }

        Loss newLoss() {
            return Losses.byName(loss);
        }
    }

    static Setup setup(String model, String activation, int batch, float lr, float momentum, float l2) {
        String[] parts = model.split("-");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) sizes[i] = Integer.parseInt(parts[i]);
        return new Setup(sizes, activation, batch, lr, momentum, 0f, l2, false, null, 7);
    }

    static Network network(Setup s) {
        Network net = new Network(s.sizes()[0]);
        for (int i = 1; i < s.sizes().length; i++) {
            net.add(new Dense(s.sizes()[i - 1], s.sizes()[i]));
            if (i + 1 < s.sizes().length) {
                if (s.batchNorm()) net.add(new BatchNorm(s.sizes()[i]));
                net.add(switch (s.activation()) {
                    case "relu" -> new ReLU();
                    case "leaky-relu" -> new LeakyReLU();
                    case "tanh" -> new Tanh();
                    case "sigmoid" -> new Sigmoid();
                    default -> throw new IllegalArgumentException(s.activation());
                });
                if (s.dropout() > 0f) net.add(new Dropout(s.dropout()));
            }
        }
        if (s.loss().equals("nll")) net.add(new LogSoftmax());
        if (s.loss().equals("mse") || s.loss().equals("sse") || s.loss().equals("l1")) net.add(new Softmax());  // train's heads
        net.initialize(s.activation().endsWith("relu") ? Initializer.HE_NORMAL : Initializer.XAVIER_UNIFORM, s.seed());
        // biases (and β) start at 0, γ at 1: give them values, so that one missing from a product would show
        SplittableRandom rng = new SplittableRandom(s.seed() + 1);
        for (Parameter p : net.parameters()) {
            boolean gamma = p.name().endsWith(".gamma");
            for (int i = 0; !p.decays() && i < p.size(); i++) {
                p.value().data()[i] = (float) (gamma ? rng.nextDouble(0.5, 1.5) : rng.nextDouble(-0.1, 0.1));
            }
        }
        if (s.frozen() != null) net.freeze(s.frozen());
        return net;
    }

    /**
     * Reseeds the dropout layers of {@code net} as a training run does at the start of an epoch (layer i of them from
     * seed·31 + i) and, when a mirror is given, the mirror's the same way: from here on both draw the same masks.
     */
    static void reseedDropouts(Network net, Setup s, GpuMlp<?> mirror) {
        int i = 0;
        for (Layer l : net.layers()) {
            if (l instanceof Dropout d) {
                long seed = s.seed() * 31 + i++;
                d.reseed(seed);
                if (mirror != null) mirror.reseedDropout(d, seed);
            }
        }
    }

    static Sgd sgd(Network net, Setup s) {
        return new Sgd(net, s.lr()).momentum(s.momentum()).regularization(Regularization.of(s.l1(), s.l2()));
    }

    static Tensor inputs(Setup s) {
        SplittableRandom rng = new SplittableRandom(s.seed() + 2);
        Tensor x = Tensor.zeros(s.batch(), s.sizes()[0]);
        for (int i = 0; i < x.size(); i++) x.data()[i] = (float) rng.nextDouble(-1, 1);
        return x;
    }

    static Tensor targets(Setup s) {
        int classes = s.sizes()[s.sizes().length - 1];
        SplittableRandom rng = new SplittableRandom(s.seed() + 3);
        if (s.indexTargets() && !s.softTargets()) {
            Tensor t = Tensor.zeros(s.batch());
            for (int r = 0; r < s.batch(); r++) t.data()[r] = rng.nextInt(classes);
            return t;
        }
        Tensor t = Tensor.zeros(s.batch(), classes);
        if (!s.indexTargets()) {
            // regression targets (and bce's probabilities) in [0, 1)
            for (int i = 0; i < t.size(); i++) t.data()[i] = (float) rng.nextDouble();
            return t;
        }
        for (int r = 0; r < s.batch(); r++) {
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += t.data()[r * classes + c] = (float) rng.nextDouble(0.05, 1);
            for (int c = 0; c < classes; c++) t.data()[r * classes + c] /= (float) sum;
        }
        return t;
    }

    /** ρ = (K + 16)·u, K = Σ_dense (in + out) + batch. */
    static double rho(Setup s) {
        long k = s.batch();
        for (int i = 1; i < s.sizes().length; i++) k += s.sizes()[i - 1] + s.sizes()[i];
        return (k + 16) * U;
    }

    /**
     * Runs max(checkAt) steps on both sides and compares after each step in checkAt (ascending); returns the
     * largest ratio of a difference to its tolerance (≤ 1 when it passes). With batch norm, ρ is widened by the
     * layers' conditioning and their running statistics are compared too ({@link BatchNormCondition}).
     */
    static <B> double compare(Setup s, DeviceKernels<B> device, int... checkAt) {
        Network cpuNet = network(s), mirrorNet = network(s);
        Sgd cpuSgd = sgd(cpuNet, s), mirrorSgd = sgd(mirrorNet, s);
        Loss cpuLoss = s.newLoss();
        Trainer cpu = new Trainer(cpuNet, cpuLoss, cpuSgd);
        Tensor x = inputs(s), y = targets(s);
        float[][] initial = new float[cpuNet.parameters().size()][];
        for (int i = 0; i < initial.length; i++) initial[i] = cpuNet.parameters().get(i).value().data().clone();
        BatchNormCondition bn = BatchNormCondition.of(s, x);
        double rho = rho(s) * bn.amplification(), worst = 0;
        CancellationBound cancellation = new CancellationBound();
        reseedDropouts(cpuNet, s, null);
        try (GpuMlp<B> mirror = new GpuMlp<>(mirrorNet, mirrorSgd, s.newLoss(), s.batch(), device)) {
            reseedDropouts(mirrorNet, s, mirror);
            int step = 0;
            for (int t : checkAt) {
                for (; step < t; step++) {
                    double eCpu = cpu.step(x, y);
                    cancellation.afterStep(cpuNet, cpuLoss, x, cpuSgd.learningRate(), cpuSgd.momentum());
                    Tensor logits = cpuNet.output(cpuNet.layers().size() - 1);
                    double eMirror = mirror.step(x, y);
                    double tolerance = 2 * rho * (lossLipschitz(s, cpuLoss) * maxAbs(logits.data(), logits.size()) + Math.abs(eCpu));
                    worst = Math.max(worst, check("loss of step " + (step + 1), 0, eMirror, eCpu, tolerance));
                }
                mirror.copyToNetwork();
                for (int i = 0; i < initial.length; i++) {
                    Parameter pc = cpuNet.parameters().get(i), pm = mirrorNet.parameters().get(i);
                    float[] wc = pc.value().data(), wm = pm.value().data();
                    double change = 0;
                    for (int j = 0; j < wc.length; j++) change = Math.max(change, Math.abs(wc[j] - initial[i][j]));
                    double tolerance = 2 * Math.sqrt(s.batch()) * rho * change + t * Math.ulp((float) maxAbs(wc, wc.length))
                            + 2 * cancellation.value(pc, rho);
                    for (int j = 0; j < wc.length; j++) {
                        worst = Math.max(worst, check(pc.name() + " after " + t + " steps", j, wm[j], wc[j], tolerance));
                    }
                    Tensor vc = cpuSgd.velocity(pc.name()), vm = mirrorSgd.velocity(pm.name());
                    if (vc != null && !pc.frozen()) {
                        double vTolerance = 2 * Math.sqrt(s.batch()) * rho * maxAbs(vc.data(), vc.size())
                                + 2 * cancellation.velocity(pc, rho);
                        for (int j = 0; j < vc.size(); j++) {
                            worst = Math.max(worst, check(pc.name() + " velocity after " + t + " steps", j, vm.data()[j],
                                    vc.data()[j], vTolerance));
                        }
                    }
                }
                worst = Math.max(worst, bn.compareRunningStatistics(cpuNet, mirrorNet, rho, t));
            }
        }
        return worst;
    }

    /**
     * How much the loss moves per unit move of the largest output: softmax cross-entropy's mean of
     * log-sum-exp − z is 1-Lipschitz in each row's largest change (the bound this class has always used); for the
     * other losses the first-order bound Σ|∂E/∂z| over the batch, from the CPU loss's gradient of the last step.
     */
    static double lossLipschitz(Setup s, Loss cpuLoss) {
        if (s.loss().equals("ce") || s.loss().equals("softmax_ce")) return 1;
        Tensor g = cpuLoss.backward();
        double sum = 0;
        for (int i = 0; i < g.size(); i++) sum += Math.abs(g.data()[g.offset() + i]);
        return sum;
    }

    /**
     * The bytes this thread allocates in 100 steps of {@code mirror} after 200 of warm-up (the JIT compiles the
     * step): the least of three windows, so an allocation a step shows in each and a one-off event of the JIT
     * (about 1.5 KB once, somewhere in the first few hundred steps) in one at most.
     */
    static long leastBytesPer100Steps(GpuMlp<?> mirror, Tensor x, Tensor y) {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double sum = 0;
        for (int i = 0; i < 200; i++) sum += mirror.step(x, y);
        long allocated = Long.MAX_VALUE;
        for (int window = 0; window < 3; window++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100; i++) sum += mirror.step(x, y);
            allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
        }
        if (Double.isNaN(sum)) throw new AssertionError("a step's loss is NaN");
        return allocated;
    }

    static double maxAbs(float[] a, int n) {
        double m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i]));
        return m;
    }

    private static double check(String what, int i, double got, double expected, double tolerance) {
        double diff = Math.abs(got - expected);
        if (!(diff <= tolerance)) fail(what + " [" + i + "]: mirror " + got + ", CPU " + expected + ", |diff| " + diff + " > " + tolerance);
        return tolerance == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff / tolerance;
    }

    /** The layer names of a network, for messages. */
    static String names(Network net) {
        StringBuilder sb = new StringBuilder();
        for (Layer l : net.layers()) sb.append(sb.length() == 0 ? "" : ",").append(l.name());
        return sb.toString();
    }
}
