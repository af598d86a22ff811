package cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link NativeLoadingTest}: probes the GPU once, then prints the probe's line
 * and every shared object this process has mapped ({@code /proc/self/maps}), one per line.
 */
public final class PlantedLibraryProbe {
    public static void main(String[] args) throws Exception {
        System.out.println("probe: " + Gpu.probe().describe());
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains(".so"))
                .map(line -> "mapped: " + line.substring(line.indexOf('/')))
                .distinct()
                .forEach(System.out::println);
    }
}
