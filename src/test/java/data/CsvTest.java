package data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.FileFormatException;

class CsvTest {
    @TempDir Path dir;

    private Path csv(String text) throws IOException {
        Path f = dir.resolve("t.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void labelByNameWithAHeaderAndStringClasses() throws IOException {
        Path f = csv("sepal_length,species,sepal_width\n5.1,setosa,3.5\n7.0,versicolor,3.2\n\n6.3,virginica,3.3\n4.9,setosa,3.0\n");
        Dataset d = Csv.load(f, Csv.Options.defaults().withLabelColumn("species"));
        assertEquals(4, d.size());
        assertEquals(2, d.dim());
        assertEquals(List.of("setosa", "versicolor", "virginica"), d.classNames());
        assertArrayEquals(new int[] {0, 1, 2, 0}, d.labels());
        assertArrayEquals(new float[] {5.1f, 3.5f, 7.0f, 3.2f, 6.3f, 3.3f, 4.9f, 3.0f}, d.features().data());
    }

    @Test
    void labelByIndexWithoutHeaderAndIntegerClasses() throws IOException {
        Path f = csv("3,0.5,1e-3\n0,-2,4\r\n1,\"7\",8\n");
        Dataset d = Csv.load(f, Csv.Options.defaults().withLabelColumn("0"));
        assertArrayEquals(new int[] {3, 0, 1}, d.labels());
        assertEquals(4, d.numClasses(), "integer labels are class indexes: max + 1 classes");
        assertArrayEquals(new float[] {0.5f, 1e-3f, -2f, 4f, 7f, 8f}, d.features().data());
        // -1 (the default) is the last column; a header is detected from its non-numeric fields.
        Dataset last = Csv.load(csv("a,b,label\n1,2,1\n3,4,0\n"), Csv.Options.defaults());
        assertArrayEquals(new int[] {1, 0}, last.labels());
        assertArrayEquals(new float[] {1, 2, 3, 4}, last.features().data());
    }

    private static String rejected(Path f, Csv.Options o, String... fragments) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> Csv.load(f, o));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        for (String s : fragments) assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void wrongFieldCountSaysLineExpectedAndGot() throws IOException {
        Path f = csv("1,2,0\n3,4,1\n5,6\n");
        rejected(f, Csv.Options.defaults(), "line 3", "expected 3 fields", "got 2");
        Path g = csv("x,y,label\n1,2,0\n\n3,4,1,9\n");
        rejected(g, Csv.Options.defaults(), "line 4", "expected 3 fields (as the header has) but got 4");
    }

    @Test
    void nonNumericAndNonFiniteValuesAreRefused() throws IOException {
        rejected(csv("1,2,0\n3,abc,1\n"), Csv.Options.defaults(), "line 2, column 2", "'abc' is not a number");
        rejected(csv("x,y,label\n1,NaN,0\n"), Csv.Options.defaults(), "line 2, column 2 ('y')", "'NaN' is not a finite number");
        rejected(csv("1,2,0\n3,Infinity,1\n"), Csv.Options.defaults(), "'Infinity' is not a finite number");
        rejected(csv("1,,0\n"), Csv.Options.defaults(), "line 1, column 2", "empty field");
        rejected(csv("1,2,\n"), Csv.Options.defaults().withHeader(false), "line 1", "empty label");
        rejected(csv("x,y,label\n1,2,0\n"), Csv.Options.defaults().withHeader(false), "line 1, column 1", "'x' is not a number",
                "if line 1 is a header");
    }

    @Test
    void labelColumnProblemsAreNamed() throws IOException {
        rejected(csv("x,y,label\n1,2,0\n"), Csv.Options.defaults().withLabelColumn("class"), "no column named 'class'", "[x, y, label]");
        rejected(csv("1,2,0\n"), Csv.Options.defaults().withLabelColumn("5"), "label column 5 is outside the 3 columns");
        rejected(csv("1,2,0\n"), Csv.Options.defaults().withLabelColumn("kind").withHeader(false), "is a name but the file has no header");
        rejected(csv("1,2,99999999\n"), Csv.Options.defaults(), "line 1: label '99999999' is above 65535");
        rejected(csv("x,y,label\n"), Csv.Options.defaults(), "no data rows");
        rejected(csv("1,\"2,0\n"), Csv.Options.defaults(), "line 1", "unterminated quoted field");
    }

    @Test
    void aNumericLabelColumnHoldsClassIndexesOrNamesTheLine() throws IOException {
        // issue 17: these were turned into four text categories, silently
        rejected(csv("1,2,0\n3,4,-1\n"), Csv.Options.defaults(), "line 2: label '-1' is negative", "class indexes 0..65535");
        rejected(csv("x,y,label\n1,2,0\n3,4,1.5\n"), Csv.Options.defaults(), "line 3: label '1.5' is not a whole number");
        rejected(csv("1,2,0\n3,4,99999999999\n"), Csv.Options.defaults(), "line 2: label '99999999999' is above 65535");
        rejected(csv("1,2,0\n3,4,NaN\n"), Csv.Options.defaults(), "line 2: label 'NaN' is not a finite number");
        // whole numbers written as floats are class indexes; a column with any text is text categories
        assertArrayEquals(new int[] {2, 0}, Csv.load(csv("1,2,2.0\n3,4,0\n"), Csv.Options.defaults()).labels());
        Dataset text = Csv.load(csv("1,2,cat\n3,4,-1\n5,6,dog\n"), Csv.Options.defaults());
        assertEquals(List.of("-1", "cat", "dog"), text.classNames());
    }

    @Test
    void memoryBoundIsEnforcedWhileReading() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.append(i).append(',').append(i).append(",1\n");
        // 100 rows × 2 features × 4 bytes = 800 bytes; a 400-byte bound stops at row 51.
        rejected(csv(sb.toString()), Csv.Options.defaults().withMaxBytes(400), "line 51", "more than the bound");
    }

    /** A line too wide to split within the memory limit is refused before it is split (issue 17: 10M columns peaked at 2.2 GB). */
    @Test
    void aLineTooWideForTheMemoryLimitIsRefusedBeforeItIsSplit() {
        String wide = "label," + "1,".repeat(4999) + "1\n";
        String before = System.getProperty("nabla.memory.limit");
        System.setProperty("nabla.memory.limit", "100k");
        try {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Csv.read(
                    new java.io.ByteArrayInputStream((wide + wide).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    java.nio.file.Path.of("wide.csv"), "wide", Csv.Options.defaults()));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("line 1 of wide.csv (5,001 fields) needs about 312.6 KiB"), e.getMessage());
        } finally {
            if (before == null) System.clearProperty("nabla.memory.limit"); else System.setProperty("nabla.memory.limit", before);
        }
    }
}
