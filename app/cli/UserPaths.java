package app.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The paths a user gives, checked before any work starts, with the reason in the message: an input
 * must be a readable regular file (a named pipe would block the read forever, a device never end);
 * an output's folder must exist or be creatable and take a new file.
 */
final class UserPaths {
    private UserPaths() {}

    /** {@code value} of {@code --flag} as a file to read, or an exception saying why it cannot be. */
    static Path input(String flag, String value) throws IOException {
        Path p = Path.of(value);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IOException(flag + " " + value + ": " + reason(e));
        }
        if (a.isDirectory()) throw new IOException(flag + " " + value + ": is a folder, not a file");
        if (!a.isRegularFile()) throw new IOException(flag + " " + value + ": is not a regular file (a named pipe, a device or a socket)");
        if (!Files.isReadable(p)) throw new IOException(flag + " " + value + ": permission denied (not readable)");
        return p;
    }

    /** {@code dir} of {@code --flag}, created if missing, after writing and deleting a file in it. */
    static Path outputFolder(String flag, Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException(flag + " " + dir + ": cannot create the folder: " + reason(e));
        }
        probeWritable(flag + " " + dir, dir);
        return dir;
    }

    /** Creates and deletes a file in {@code dir}: the only sure test (root passes isWritable, /proc refuses). */
    private static void probeWritable(String what, Path dir) throws IOException {
        try {
            Files.delete(Files.createTempFile(dir, ".nabla-", ".probe"));
        } catch (IOException e) {
            throw new IOException(what + ": cannot write in " + dir + ": " + reason(e));
        }
    }

    /** {@code file} of {@code --flag} as a file to write: not a folder or a pipe, and its folder writable. */
    static Path outputFile(String flag, Path file) throws IOException {
        if (Files.isDirectory(file)) throw new IOException(flag + " " + file + ": is a folder, not a file");
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IOException(flag + " " + file + ": is not a regular file (a named pipe, a device or a socket)");
        }
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new IOException(flag + " " + file + ": cannot create its folder " + parent + ": " + reason(e));
        }
        probeWritable(flag + " " + file, parent);
        return file;
    }

    /** An I/O failure in a few words: "no such file or folder", "permission denied", the system's reason, ... */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
