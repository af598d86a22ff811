package cuda;

import static org.junit.jupiter.api.Assertions.fail;

import backprop.Layer;
import backprop.Network;
import backprop.Parameter;
import backprop.Trainer;
import backprop.init.Initializer;
import backprop.layers.Dense;
import backprop.layers.ReLU;
import backprop.layers.Sigmoid;
import backprop.layers.Tanh;
import backprop.loss.SoftmaxCrossEntropy;
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
 */
public final class StepAgreement {
    private StepAgreement() {}

    static final double U = Math.ulp(1f) / 2;

    /** One comparison: the model, hidden activation, batch, optimizer, and what is frozen. */
    record Setup(int[] sizes, String activation, int batch, float lr, float momentum, float l1, float l2, boolean softTargets,
                 String frozen, long seed) {
        Setup withFrozen(String name) {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, softTargets, name, seed);
        }

        Setup withSoftTargets() {
            return new Setup(sizes, activation, batch, lr, momentum, l1, l2, true, frozen, seed);
        }

        Setup withBatch(int b) {
            return new Setup(sizes, activation, b, lr, momentum, l1, l2, softTargets, frozen, seed);
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
                net.add(switch (s.activation()) {
                    case "relu" -> new ReLU();
                    case "tanh" -> new Tanh();
                    case "sigmoid" -> new Sigmoid();
                    default -> throw new IllegalArgumentException(s.activation());
                });
            }
        }
        net.initialize(s.activation().equals("relu") ? Initializer.HE_NORMAL : Initializer.XAVIER_UNIFORM, s.seed());
        // biases start at 0: give them values, so that a bias missing from a product would show
        SplittableRandom rng = new SplittableRandom(s.seed() + 1);
        for (Parameter p : net.parameters()) {
            if (!p.decays()) for (int i = 0; i < p.size(); i++) p.value().data()[i] = (float) rng.nextDouble(-0.1, 0.1);
        }
        if (s.frozen() != null) net.freeze(s.frozen());
        return net;
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
        if (!s.softTargets()) {
            Tensor t = Tensor.zeros(s.batch());
            for (int r = 0; r < s.batch(); r++) t.data()[r] = rng.nextInt(classes);
            return t;
        }
        Tensor t = Tensor.zeros(s.batch(), classes);
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
     * largest ratio of a difference to its tolerance (≤ 1 when it passes).
     */
    static <B> double compare(Setup s, DeviceKernels<B> device, int... checkAt) {
        Network cpuNet = network(s), mirrorNet = network(s);
        Sgd cpuSgd = sgd(cpuNet, s), mirrorSgd = sgd(mirrorNet, s);
        SoftmaxCrossEntropy cpuLoss = new SoftmaxCrossEntropy();
        Trainer cpu = new Trainer(cpuNet, cpuLoss, cpuSgd);
        Tensor x = inputs(s), y = targets(s);
        float[][] initial = new float[cpuNet.parameters().size()][];
        for (int i = 0; i < initial.length; i++) initial[i] = cpuNet.parameters().get(i).value().data().clone();
        double rho = rho(s), worst = 0;
        try (GpuMlp<B> mirror = new GpuMlp<>(mirrorNet, mirrorSgd, new SoftmaxCrossEntropy(), s.batch(), device)) {
            int step = 0;
            for (int t : checkAt) {
                for (; step < t; step++) {
                    double eCpu = cpu.step(x, y);
                    Tensor logits = cpuNet.output(cpuNet.layers().size() - 1);
                    double eMirror = mirror.step(x, y);
                    double tolerance = 2 * rho * (maxAbs(logits.data(), logits.size()) + Math.abs(eCpu));
                    worst = Math.max(worst, check("loss of step " + (step + 1), 0, eMirror, eCpu, tolerance));
                }
                mirror.copyToNetwork();
                for (int i = 0; i < initial.length; i++) {
                    Parameter pc = cpuNet.parameters().get(i), pm = mirrorNet.parameters().get(i);
                    float[] wc = pc.value().data(), wm = pm.value().data();
                    double change = 0;
                    for (int j = 0; j < wc.length; j++) change = Math.max(change, Math.abs(wc[j] - initial[i][j]));
                    double tolerance = 2 * Math.sqrt(s.batch()) * rho * change + t * Math.ulp((float) maxAbs(wc, wc.length));
                    for (int j = 0; j < wc.length; j++) {
                        worst = Math.max(worst, check(pc.name() + " after " + t + " steps", j, wm[j], wc[j], tolerance));
                    }
                    Tensor vc = cpuSgd.velocity(pc.name()), vm = mirrorSgd.velocity(pm.name());
                    if (vc != null && !pc.frozen()) {
                        double vTolerance = 2 * Math.sqrt(s.batch()) * rho * maxAbs(vc.data(), vc.size());
                        for (int j = 0; j < vc.size(); j++) {
                            worst = Math.max(worst, check(pc.name() + " velocity after " + t + " steps", j, vm.data()[j],
                                    vc.data()[j], vTolerance));
                        }
                    }
                }
            }
        }
        return worst;
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
