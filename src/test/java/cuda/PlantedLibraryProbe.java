package cuda;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link NativeLoadingTest}: probes the GPU once (or, with the argument
 * {@code load}, only loads JCuda's driver library and initializes {@code JCudaDriver}), then prints
 * the probe's line and every shared object this process has mapped ({@code /proc/self/maps}).
 */
public final class PlantedLibraryProbe {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("load")) {
            JCudaNatives.load();
            System.out.println("loaded: JCudaDriver initialized");
        } else {
            System.out.println("probe: " + Gpu.probe().describe());
        }
        Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains(".so"))
                .map(line -> "mapped: " + line.substring(line.indexOf('/')))
                .distinct()
                .forEach(System.out::println);
    }
}
