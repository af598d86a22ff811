package backprop.layers;

import backprop.Layer;

/** The name every layer carries; the network renames it on {@code add} ("dense" becomes "dense0"). */
public abstract class AbstractLayer implements Layer {
    private String name;

    protected AbstractLayer(String kind) {
        this.name = kind;
    }

    @Override
    public String name() { return name; }

    @Override
    public void setName(String name) { this.name = name; }

    /** "dense0 (Dense 784→256)" for messages. */
    protected String who() {
        return name + " (" + getClass().getSimpleName() + ")";
    }

    @Override
    public String toString() { return who(); }
}
