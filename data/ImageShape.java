package data;

/** The layout of one image in a feature row: channels × height × width, channel-major (CHW). */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape needs positive sizes, got " + channels + "x" + height + "x" + width);
        }
    }

    /** Floats per image: channels · height · width. */
    public int size() {
        return channels * height * width;
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
