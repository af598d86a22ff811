package cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JCuda's driver library is loaded only from a private folder, never from the shared temp folder. */
class NativeLoadingTest {
    /** A real, harmless shared object: if JCuda loaded the planted copy, /proc/self/maps would list it. */
    private static final Path HARMLESS = Path.of("/lib/x86_64-linux-gnu/libutil.so.1");

    @TempDir Path shared;
    @TempDir Path home;

    @Test
    void aLibraryPlantedInTheTempFolderIsNotLoaded() throws Exception {
        assumeTrue(Files.isRegularFile(HARMLESS) && Files.isReadable(Path.of("/proc/self/maps")), "Linux x86-64 only");
        Path planted = shared.resolve(JCudaNatives.libraryFileName());
        Files.copy(HARMLESS, planted);
        Path natives = home.resolve("natives");

        String out = runProbe(shared, natives);

        assertTrue(out.contains("probe: cuda"), out);
        assertFalse(out.contains(planted.toString()), "the planted library was loaded:\n" + out);
        Path copy = natives.resolve(JCudaNatives.libraryFileName());
        assertArrayEquals(JCudaNatives.resource("/lib/" + JCudaNatives.libraryFileName()), Files.readAllBytes(copy));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(natives)));
    }

    /**
     * Without a driver the private copy fails to load (it needs libcuda.so.1) before JCuda's own loader
     * runs. A stub libcuda.so.1 (built with gcc) lets it load, so JCudaDriver initializes through JCuda's
     * loader, pointed at the private folder: the planted library must still not be mapped.
     */
    @Test
    void jcudasOwnLoaderFindsThePrivateCopyNotThePlantedOne() throws Exception {
        assumeTrue(Files.isRegularFile(HARMLESS) && Files.isReadable(Path.of("/proc/self/maps")), "Linux x86-64 only");
        Path stub = Files.createDirectory(home.resolve("stub"));
        Files.writeString(stub.resolve("s.c"), "int nabla_stub(void) { return 0; }\n");
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", stub.resolve("libcuda.so.1").toString(), stub.resolve("s.c").toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            gcc = null;
        }
        assumeTrue(gcc != null && gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "needs gcc to build a stub libcuda.so.1");
        Path planted = shared.resolve(JCudaNatives.libraryFileName());
        Files.copy(HARMLESS, planted);
        Path natives = home.resolve("natives");

        String out = run(shared, natives, stub, "load");

        assertTrue(out.contains("loaded: JCudaDriver initialized"), out);
        assertTrue(out.contains("mapped: " + natives.resolve(JCudaNatives.libraryFileName())), out);
        assertFalse(out.contains(planted.toString()), "the planted library was loaded:\n" + out);
    }

    @Test
    void aTamperedCopyInThePrivateFolderIsReplacedByTheJarsBytes() throws IOException {
        Path natives = home.resolve("natives");
        byte[] real = {1, 2, 3, 4};
        JCudaNatives.install(natives, "libX.so", real);
        Files.write(natives.resolve("libX.so"), new byte[] {6, 6, 6});
        Path library = JCudaNatives.install(natives, "libX.so", real);
        assertArrayEquals(real, Files.readAllBytes(library));
    }

    @Test
    void aFolderOthersCanWriteIsRefusedWithTheReason() throws IOException {
        Path open = Files.createDirectory(home.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> JCudaNatives.install(open, "libX.so", new byte[] {1}));
        assertTrue(e.reason().contains("mode is 777, not 700"), e.reason());
        assertFalse(Files.exists(open.resolve("libX.so")));
    }

    @Test
    void aFolderOwnedByAnotherUserIsRefused() throws IOException {
        Path theirs = Files.createDirectory(home.resolve("theirs"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        UserPrincipal nobody;
        try {
            nobody = theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(theirs, nobody);
        } catch (IOException e) {
            nobody = null;
        }
        assumeTrue(nobody != null, "only root can give a folder to another user");
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> JCudaNatives.install(theirs, "libX.so", new byte[] {1}));
        assertTrue(e.reason().contains("it is owned by nobody"), e.reason());
    }

    @Test
    void aSharedParentFolderIsRefused() throws IOException {
        Path parent = Files.createDirectory(home.resolve("shared"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));  // no sticky bit
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> JCudaNatives.install(parent.resolve("natives"), "libX.so", new byte[] {1}));
        assertTrue(e.reason().contains("is writable by others"), e.reason());
    }

    /** The probe in a fresh JVM whose java.io.tmpdir is {@code tmp}; its output. */
    private static String runProbe(Path tmp, Path natives) throws Exception {
        return run(tmp, natives, null, "probe");
    }

    /** {@link PlantedLibraryProbe} in a fresh JVM (with {@code libraries} on LD_LIBRARY_PATH if not null); its output. */
    private static String run(Path tmp, Path natives, Path libraries, String what) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + tmp, "-D" + JCudaNatives.FOLDER_PROPERTY + "=" + natives,
                PlantedLibraryProbe.class.getName(), what)).redirectErrorStream(true);
        if (libraries != null) pb.environment().put("LD_LIBRARY_PATH", libraries.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish in 60 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
