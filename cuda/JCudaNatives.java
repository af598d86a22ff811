package cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import jcuda.JCudaVersion;
import jcuda.LibUtils;

/**
 * JCuda's driver library, loaded only from a folder no other user can write. Left alone, JCuda
 * extracts {@code libJCudaDriver-<version>-<os>-<arch>.so} into {@code java.io.tmpdir} and loads any
 * file of that name already there, so another user of {@code /tmp} could plant one and run code as
 * us. Here the library is copied from the jar into a private folder (owner-only, owned by us, every
 * folder above it writable only by us or root unless sticky), its bytes compared with the jar's, and
 * loaded by absolute path; JCuda's own loader is then pointed at that folder while
 * {@code JCudaDriver} initializes, so it finds the same verified file (a thread reading
 * {@code java.io.tmpdir} in that moment would see the private folder: the probe runs before nabla
 * starts any).
 *
 * <p>The folder: {@code -Dnabla.natives.dir}, else {@code $XDG_CACHE_HOME/nabla/natives/<version>},
 * else {@code ~/.cache/nabla/natives/<version>}.
 */
final class JCudaNatives {
    static final String FOLDER_PROPERTY = "nabla.natives.dir";
    private static boolean loaded;

    private JCudaNatives() {}

    /** Installs, verifies and loads the driver library, then initializes JCudaDriver from it. */
    static synchronized void load() {
        if (loaded) return;
        String fileName = libraryFileName();
        byte[] expected = resource("/lib/" + fileName);
        Path folder = folder();
        Path library = install(folder, fileName, expected);
        System.load(library.toString());
        // JCuda tries java.library.path, then <java.io.tmpdir>/<fileName>: point the second at our copy.
        String tmpdir = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", folder.toString());
        try {
            Class.forName("jcuda.driver.JCudaDriver", true, JCudaNatives.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new NoClassDefFoundError("jcuda/driver/JCudaDriver");
        } finally {
            System.setProperty("java.io.tmpdir", tmpdir);
        }
        loaded = true;
    }

    static String libraryFileName() {
        return LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName("JCudaDriver-" + JCudaVersion.get()));
    }

    static Path folder() {
        String configured = System.getProperty(FOLDER_PROPERTY);
        if (configured != null && !configured.isBlank()) return Path.of(configured).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("nabla").resolve("natives").resolve(JCudaVersion.get());
    }

    /** The library's bytes in the jar; a missing resource means the natives jar is not on the classpath. */
    static byte[] resource(String name) {
        try (InputStream in = JCudaNatives.class.getResourceAsStream(name)) {
            if (in == null) throw new UnsatisfiedLinkError("JCuda's native library " + name + " is not on the classpath");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UnsatisfiedLinkError("cannot read JCuda's native library " + name + " from the jar: " + e);
        }
    }

    /**
     * The verified copy of {@code expected} as {@code folder/fileName}: the folder is created owner-only
     * or checked to be private, an existing file is kept only if its bytes are the jar's, else replaced.
     */
    static Path install(Path folder, String fileName, byte[] expected) {
        try {
            createPrivate(folder);
            checkPrivate(folder);
            Path library = folder.resolve(fileName);
            if (Files.isRegularFile(library, LinkOption.NOFOLLOW_LINKS)
                    && Arrays.equals(Files.readAllBytes(library), expected)) {
                return library;
            }
            Path part = Files.createTempFile(folder, fileName, ".part");  // 0600 on POSIX
            Files.write(part, expected);
            Files.move(part, library, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            if (!Arrays.equals(Files.readAllBytes(library), expected)) {
                throw unsafe(folder, "the copy of " + fileName + " does not match the jar's bytes");
            }
            return library;
        } catch (AccessDeniedException e) {
            throw unsafe(folder, "permission denied: " + e.getFile());
        } catch (IOException e) {
            throw unsafe(folder, e.toString());
        }
    }

    private static void createPrivate(Path folder) throws IOException {
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) return;
        Files.createDirectories(folder.getParent());
        if (posix(folder)) {
            Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(folder);
        }
    }

    /**
     * Refuses a folder another user could write into or rename: it must be a real directory owned by
     * us with no group or other permission, and each folder above it owned by us or root and not
     * writable by group or others unless sticky ({@code /tmp}'s 1777 lets no one rename our entry).
     */
    static void checkPrivate(Path folder) throws IOException {
        if (!posix(folder)) return;  // not POSIX (Windows): the user's profile folder is private by default
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) throw unsafe(folder, "not a directory (or a link)");
        int mode = mode(folder, LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0077) != 0) {
            throw unsafe(folder, String.format("its mode is %o, not 700 (chmod 700 it, or remove it)", mode & 07777));
        }
        // who we are, without a user name lookup (a container's uid may have no name): the owner of a file we create
        Path probe = Files.createTempFile(folder, ".owner-", ".probe");
        UserPrincipal me = Files.getOwner(probe);
        Files.delete(probe);
        UserPrincipal owner = Files.getOwner(folder, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(me)) throw unsafe(folder, "it is owned by " + owner.getName() + ", not by " + me.getName());
        for (Path up = folder.toRealPath().getParent(); up != null; up = up.getParent()) {
            int upMode = mode(up);
            String upOwner = Files.getOwner(up).getName();
            if (!upOwner.equals(me.getName()) && !upOwner.equals("root")) {
                throw unsafe(folder, "the folder above it, " + up + ", is owned by " + upOwner);
            }
            if ((upMode & 0022) != 0 && (upMode & 01000) == 0) {
                throw unsafe(folder, String.format("the folder above it, %s, is writable by others (mode %o)", up, upMode & 07777));
            }
        }
    }

    /** The permission bits with the sticky bit (01000) where the file system tells it ("unix:mode"), else rwx only. */
    private static int mode(Path p, LinkOption... options) throws IOException {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode", options);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            int m = 0;
            for (PosixFilePermission perm : Files.getPosixFilePermissions(p, options)) m |= 0400 >> perm.ordinal();
            return m;  // no sticky bit known: a folder writable by others counts as shared
        }
    }

    private static boolean posix(Path folder) {
        return folder.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static GpuUnavailableException unsafe(Path folder, String why) {
        String reason = "JCuda's native library not loaded from " + folder + ": " + why;
        return new GpuUnavailableException("cuda unavailable: " + reason, reason);
    }
}
