package app.clean;

import data.Dataset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a label-overrides file names an example of a dataset: its path under the root for an image
 * folder ({@code cat/001.png}: it survives a change of split or of the folder's other files), else
 * its row index.
 */
final class Examples {
    private final Dataset data;
    private final Map<String, Integer> rowOfSource;

    Examples(Dataset data) {
        this.data = data;
        List<String> sources = data.sources().orElse(null);
        if (sources == null) {
            rowOfSource = null;
        } else {
            rowOfSource = new HashMap<>();
            for (int i = 0; i < sources.size(); i++) rowOfSource.put(sources.get(i), i);
        }
    }

    /** The name of row {@code row}. */
    String id(int row) {
        return rowOfSource == null ? Integer.toString(row) : data.sources().get().get(row);
    }

    /** The row named {@code id}; an {@link IllegalArgumentException} says why there is none. */
    int row(String id) {
        if (rowOfSource != null) {
            Integer r = rowOfSource.get(id);
            if (r == null) throw new IllegalArgumentException("no image " + id + " in " + data.name() + " (examples of an image folder are named by their path under the root, e.g. "
                    + data.sources().get().get(0) + ")");
            return r;
        }
        int r;
        try {
            r = Integer.parseInt(id);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("example '" + id + "' is not an index (" + data.name() + " names its examples 0.." + (data.size() - 1) + ")");
        }
        if (r < 0 || r >= data.size()) {
            throw new IllegalArgumentException("index " + r + " is out of range: " + data.name() + " has " + data.size() + " examples (0.." + (data.size() - 1) + ")");
        }
        return r;
    }
}
