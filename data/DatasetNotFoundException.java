package data;

import java.io.FileNotFoundException;

/** A named dataset is not on this machine; the message is one line that says how to get it. */
public final class DatasetNotFoundException extends FileNotFoundException {
    private static final long serialVersionUID = 1L;

    public DatasetNotFoundException(String message) {
        super(message);
    }
}
