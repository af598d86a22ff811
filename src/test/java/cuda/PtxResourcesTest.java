package cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The committed PTX, as bundled on the classpath, without a GPU: each module parses (header),
 * declares every entry the Java side loads, and agrees with the Java launch constants (threads from
 * .maxntid, shared bytes from the .shared declarations, tile sizes from the .cu #defines).
 */
class PtxResourcesTest {
    private static final Path CUDA_DIR = Path.of("cuda");

    static String ptx(String module) throws IOException {
        try (InputStream in = PtxResourcesTest.class.getResourceAsStream("/cuda/ptx/" + module + ".ptx")) {
            assertNotNull(in, "cuda/ptx/" + module + ".ptx is not on the classpath (is it committed and bundled?)");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void everyModuleHasAPtxHeaderAndItsEntries() throws IOException {
        Pattern version = Pattern.compile("(?m)^\\.version (\\d+)\\.(\\d+)$");
        for (Map.Entry<String, List<String>> module : PtxModules.MODULES.entrySet()) {
            String text = ptx(module.getKey());
            String name = module.getKey() + ".ptx";
            Matcher v = version.matcher(text);
            assertTrue(v.find(), name + " has no .version line");
            assertTrue(Integer.parseInt(v.group(1)) >= 7, name + ": PTX ISA " + v.group());
            int cc = PtxModules.minComputeCapability(module.getKey());
            assertTrue(text.contains("\n.target sm_" + cc + "\n"), name + ": expected .target sm_" + cc + " (nvcc -arch=compute_" + cc + ")");
            assertTrue(text.contains("\n.address_size 64\n"), name + ": expected .address_size 64");
            Set<String> declared = entries(text);
            for (String entry : module.getValue()) {
                assertTrue(declared.contains(entry), name + " declares " + declared + ", not " + entry);
            }
            assertEquals(new TreeSet<>(module.getValue()), declared, name + ": entries the Java side does not list");
        }
    }

    static Set<String> entries(String ptx) {
        Matcher m = Pattern.compile("(?m)^\\.visible \\.entry (\\w+)\\(").matcher(ptx);
        Set<String> names = new TreeSet<>();
        while (m.find()) names.add(m.group(1));
        return names;
    }

    @Test
    void loadedPtxIsNulTerminated() {
        byte[] image = CudaContext.ptx("scale_matrix");
        assertEquals(0, image[image.length - 1], "cuModuleLoadData reads a byte image up to its NUL");
        assertTrue(new String(image, StandardCharsets.US_ASCII).contains(".entry scale_matrix("));
    }

    @Test
    void everyKernelSourceHasItsPtxAndAModuleEntry() throws IOException {
        Set<String> sources, ptxFiles;
        try (Stream<Path> files = Files.list(CUDA_DIR)) {
            sources = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".cu"))
                    .map(f -> f.substring(0, f.length() - 3)).collect(Collectors.toCollection(TreeSet::new));
        }
        try (Stream<Path> files = Files.list(CUDA_DIR.resolve("ptx"))) {
            ptxFiles = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".ptx"))
                    .map(f -> f.substring(0, f.length() - 4)).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(sources, ptxFiles, "one committed PTX per cuda/*.cu (run cuda/build-ptx.sh)");
        assertEquals(sources, new TreeSet<>(PtxModules.MODULES.keySet()), "PtxModules lists every module");
    }

    @Test
    void sgemmPtxAgreesWithTheJavaLaunchConstants() throws IOException {
        for (SgemmVersion v : SgemmVersion.values()) {
            String text = ptx(v.entry());
            assertEquals(v.blockX() * v.blockY(), maxThreads(text), v.entry() + " .maxntid (its __launch_bounds__)");
            assertEquals(v.staticSharedBytes(), sharedBytes(text), v.entry() + " .shared bytes");
        }
        String softmax = ptx("softmax_cross_entropy");
        assertEquals(LaunchGeometry.SOFTMAX_MAX_THREADS, maxThreads(softmax));
        assertEquals(LaunchGeometry.softmaxRows(1, 1).staticSharedBytes(), sharedBytes(softmax));
    }

    /** The other row kernels launch with softmaxRows too: each entry's bound and shared array as softmax_cross_entropy's. */
    @Test
    void rowKernelsPtxAgreesWithTheirLaunchShape() throws IOException {
        for (String module : List.of("log_softmax", "softmax")) {
            String text = ptx(module);
            Matcher bounds = Pattern.compile("(?m)^\\.maxntid (\\d+), 1, 1$").matcher(text);
            int entries = 0;
            while (bounds.find()) {
                assertEquals(LaunchGeometry.SOFTMAX_MAX_THREADS, Integer.parseInt(bounds.group(1)), module + " .maxntid");
                entries++;
            }
            assertEquals(PtxModules.MODULES.get(module).size(), entries, module + ": a __launch_bounds__ on each entry");
            Matcher shared = Pattern.compile("\\.shared \\.align \\d+ \\.b8 \\w+\\[(\\d+)\\];").matcher(text);
            while (shared.find()) {
                assertEquals(LaunchGeometry.softmaxRows(1, 1).staticSharedBytes(), Integer.parseInt(shared.group(1)), module + " .shared");
            }
        }
    }

    private static int maxThreads(String ptx) {
        Matcher m = Pattern.compile("(?m)^\\.maxntid (\\d+), (\\d+), (\\d+)$").matcher(ptx);
        if (!m.find()) fail("no .maxntid");
        return Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2)) * Integer.parseInt(m.group(3));
    }

    private static int sharedBytes(String ptx) {
        Matcher m = Pattern.compile("\\.shared \\.align \\d+ \\.b8 \\w+\\[(\\d+)\\];").matcher(ptx);
        int sum = 0;
        while (m.find()) sum += Integer.parseInt(m.group(1));
        return sum;
    }

    /**
     * A kernel for a newer GPU than sm_75 says so in its source ("// nvcc: -arch=compute_80", which cuda/build-ptx.sh
     * compiles it with), and the Java side knows it (SgemmVersion.minComputeCapability): the two agree for every source.
     */
    @Test
    void eachSourceAsksForTheArchitectureTheJavaSideExpects() throws IOException {
        Pattern marker = Pattern.compile("(?m)^// nvcc: -arch=compute_(\\d+)$");
        for (String module : PtxModules.MODULES.keySet()) {
            Matcher m = marker.matcher(Files.readString(CUDA_DIR.resolve(module + ".cu")));
            int asked = m.find() ? Integer.parseInt(m.group(1)) : 75;
            assertEquals(PtxModules.minComputeCapability(module), asked, module + ".cu's architecture");
        }
        assertEquals(80, SgemmVersion.V8_CP_ASYNC.minComputeCapability());
        assertEquals(null, SgemmVersion.V8_CP_ASYNC.unsupportedOn(90));
        assertEquals("sgemm_v8_cp_async needs sm_80 or newer, this GPU is sm_75", SgemmVersion.V8_CP_ASYNC.unsupportedOn(75));
        assertEquals(null, SgemmVersion.V6_DOUBLE_BUFFERED.unsupportedOn(75));
    }

    @Test
    void sgemmTilesMatchTheSourceDefines() throws IOException {
        assertTile(SgemmVersion.V1_NAIVE, "V1_BLOCK_Y", "V1_BLOCK_X");
        assertEquals(SgemmVersion.V1_NAIVE.blockX(), define("sgemm_v1_naive", "V1_BLOCK_X"));
        assertTile(SgemmVersion.V2_SMEM_TILED, "V2_TILE", "V2_TILE");
        assertTile(SgemmVersion.V3_BLOCKTILE_2D, "V3_BM", "V3_BN");
        assertTile(SgemmVersion.V4_VECTORIZED, "V4_BM", "V4_BN");
        assertTile(SgemmVersion.V5_WARPTILED, "V5_BM", "V5_BN");
        assertTile(SgemmVersion.V6_DOUBLE_BUFFERED, "V6_BM", "V6_BN");
        assertTile(SgemmVersion.V7_SPLIT_K, "V7_TILE", "V7_TILE");
        assertTile(SgemmVersion.V8_CP_ASYNC, "V8_BM", "V8_BN");
    }

    private static void assertTile(SgemmVersion v, String rowsDefine, String colsDefine) throws IOException {
        assertEquals(v.tileRows(), define(v.entry(), rowsDefine), v + " tile rows");
        assertEquals(v.tileCols(), define(v.entry(), colsDefine), v + " tile columns");
    }

    private static int define(String source, String name) throws IOException {
        String text = Files.readString(CUDA_DIR.resolve(source + ".cu"));
        Matcher m = Pattern.compile("(?m)^#define " + name + " (\\d+)$").matcher(text);
        if (!m.find()) fail(source + ".cu has no #define " + name);
        return Integer.parseInt(m.group(1));
    }
}
