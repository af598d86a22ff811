package backprop.layers;

import backprop.Layer;
import java.util.List;
import java.util.Locale;

/** Activation layers by name, for configuration files and the command line (as {@link backprop.loss.Losses} for losses). */
public final class Activations {
    private Activations() {}

    /** Every name {@link #byName} knows. */
    public static final List<String> NAMES = List.of("sigmoid", "tanh", "relu", "leaky-relu");

    /** A new activation layer; an unknown name is refused naming the known ones. */
    public static Layer byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "sigmoid" -> new Sigmoid();
            case "tanh" -> new Tanh();
            case "relu" -> new ReLU();
            case "leaky-relu", "leaky_relu" -> new LeakyReLU();
            default -> throw new IllegalArgumentException("unknown activation '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }
}
