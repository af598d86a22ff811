package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import app.cli.TrainCommandTest.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: --label-column, --header and --delimiter for a CSV, each checked against the file; numeric labels checked. */
class CsvFlagsTest {
    @TempDir Path dir;

    /** Rows "x;kind;y" with text labels in the middle column, under a header. */
    private Path semicolons() throws IOException {
        StringBuilder sb = new StringBuilder("x;kind;y\n");
        for (int i = 0; i < 40; i++) sb.append(i % 2 == 0 ? 0.1 * i : -0.1 * i).append(';').append(i % 2 == 0 ? "yes" : "no").append(';').append(i).append('\n');
        return Files.writeString(dir.resolve("semi.csv"), sb);
    }

    private Result train(String... flags) {
        String[] args = new String[flags.length + 6];
        System.arraycopy(new String[] {"train", "--out", dir.toString(), "--epochs", "1", "--overwrite"}, 0, args, 0, 6);
        System.arraycopy(flags, 0, args, 6, flags.length);
        return nabla(args);
    }

    private static void fails(Result r, int exit, String expected) {
        assertEquals(exit, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in: " + r.err());
    }

    @Test
    void theFlagsReadAFileTheDefaultsCannot() throws IOException {
        String f = semicolons().toString();
        Result r = train("--data", f, "--delimiter", ";", "--label-column", "kind", "--header", "yes");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("32 training examples of 2 features, 2 classes (text labels: no, yes)"), r.out());
        assertEquals(0, train("--data", f, "--delimiter", ";", "--label-column", "1").exit(), "by index, header detected");
    }

    @Test
    void eachFlagIsCheckedAgainstTheFile() throws IOException {
        String f = semicolons().toString();
        fails(train("--data", f, "--delimiter", ";", "--label-column", "7"), 1, "label column 7 is outside the 3 columns");
        fails(train("--data", f, "--delimiter", ";", "--label-column", "class"), 1, "no column named 'class'; the header has [x, kind, y]");
        fails(train("--data", f, "--label-column", "1"), 1, "found 1 field(s) separated by ',' (is the delimiter right?)");
        fails(train("--data", f, "--delimiter", ";", "--label-column", "1", "--header", "no"), 1,
                "line 1, column 1: 'x' is not a number (if line 1 is a header, say so)");
        fails(train("--data", f, "--delimiter", ";;"), 2, "--delimiter must be one character");
        fails(train("--data", f, "--header", "maybe"), 2, "--header must be one of yes|no|auto");
        fails(train("--delimiter", ";"), 2, "--delimiter applies to a .csv --data, not to 'digits'");
    }

    @Test
    void aNegativeFractionalOrHugeNumericLabelNamesItsLine() throws IOException {
        String[][] cases = {{"-1", "line 3: label '-1' is negative"}, {"1.5", "line 3: label '1.5' is not a whole number"},
            {"99999999999", "line 3: label '99999999999' is above 65535"}};
        for (String[] c : cases) {
            Path f = Files.writeString(dir.resolve("labels.csv"), "a,b,label\n1,2,0\n3,4," + c[0] + "\n5,6,1\n7,8,0\n");
            fails(train("--data", f.toString()), 1, c[1]);
        }
    }
}
