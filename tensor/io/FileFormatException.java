package tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that does not hold what its format promises: the message names the file, the byte
 * offset where the problem was found, and the problem, in one line.
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    /** {@code offset} is the byte offset in the file (or in its uncompressed stream); -1 if none applies. */
    public FileFormatException(Path file, long offset, String problem) {
        super(file + (offset >= 0 ? ": byte " + offset : "") + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() { return file; }

    /** The byte offset where the problem was found, or -1. */
    public long offset() { return offset; }
}
