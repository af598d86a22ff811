package app.serve;

import java.util.Collection;

/** The JSON that describes models: Open Inference Protocol model metadata, and the page's model list. */
final class ModelJson {
    private ModelJson() {}

    /**
     * {@code {"name", "versions", "platform", "inputs": [{"name", "datatype", "shape"}], "outputs": [...]}}
     * as the protocol's model metadata response; -1 marks the batch dimension. The class names, the
     * architecture and the image shape go in "parameters", the protocol's place for extras.
     */
    static String metadata(ServedModel m) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"name\":\"").append(m.name()).append("\",\"versions\":[\"").append(Routes.VERSION)
                .append("\"],\"platform\":\"nabla\",\"inputs\":[{\"name\":\"").append(InferRequest.INPUT)
                .append("\",\"datatype\":\"FP32\",\"shape\":[-1,").append(m.inputs()).append("]}],\"outputs\":[{\"name\":\"")
                .append(InferRequest.OUTPUT).append("\",\"datatype\":\"FP32\",\"shape\":[-1,").append(m.classes()).append("]}]");
        sb.append(",\"parameters\":{\"model\":\"").append(m.model().spec().modelString()).append("\",\"classes\":[");
        for (int c = 0; c < m.classes(); c++) JsonOut.string(sb.append(c == 0 ? "" : ","), m.labels().get(c));
        sb.append(']');
        if (m.imageShape() != null) sb.append(",\"image_shape\":\"").append(m.imageShape()).append('"');
        return sb.append("}}").toString();
    }

    /** {@code {"models": [{"modelName", "modelUrl", "inputs", "classes", "image_shape"}]}}: TorchServe's list (the file name only, not its folder), with what the page needs. */
    static String list(Collection<ServedModel> models) {
        StringBuilder sb = new StringBuilder("{\"models\":[");
        boolean first = true;
        for (ServedModel m : models) {
            sb.append(first ? "" : ",").append("{\"modelName\":\"").append(m.name()).append("\",\"modelUrl\":");
            JsonOut.string(sb, java.nio.file.Path.of(m.path()).getFileName().toString()).append(",\"inputs\":").append(m.inputs()).append(",\"classes\":[");
            for (int c = 0; c < m.classes(); c++) JsonOut.string(sb.append(c == 0 ? "" : ","), m.labels().get(c));
            sb.append("],\"image_shape\":").append(m.imageShape() == null ? "null" : "\"" + m.imageShape() + "\"").append('}');
            first = false;
        }
        return sb.append("]}").toString();
    }
}
