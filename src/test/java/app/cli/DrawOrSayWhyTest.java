package app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A plot that Java2D cannot draw (seen on a GPU machine whose JDK lacked libharfbuzz) does not end a finished run. */
class DrawOrSayWhyTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final Path png = Path.of("runs", "loss.png");

    @Test
    void aDrawnPictureIsNamed() throws IOException {
        Common.drawOrSayWhy(out, "loss curves", png, () -> { });
        assertEquals("loss curves: " + png + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void missingFontLibrariesAreSaidAndTheRunGoesOn() throws IOException {
        Common.drawOrSayWhy(out, "loss curves", png, () -> {
            // what SunFontManager's static initializer threw there, wrapped as the JDK wraps it, raised in the font code
            UnsatisfiedLinkError cause = new UnsatisfiedLinkError("libfontmanager.so: libharfbuzz.so.0: cannot open shared object file");
            cause.setStackTrace(new StackTraceElement[] {new StackTraceElement("sun.font.FontManagerNativeLibrary", "run", null, -1)});
            NoClassDefFoundError e = new NoClassDefFoundError("Could not initialize class sun.font.SunFontManager");
            e.initCause(cause);
            e.setStackTrace(new StackTraceElement[] {new StackTraceElement("sun.font.FontDesignMetrics", "getMetrics", null, -1)});
            throw e;
        });
        assertEquals("loss curves: not drawn (Java2D cannot draw here: java.lang.UnsatisfiedLinkError: libfontmanager.so: "
                + "libharfbuzz.so.0: cannot open shared object file)" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    /** A LinkageError of nabla's own drawing code (no Java2D frame) is a bug to see, not a missing font library. */
    @Test
    void anErrorOutsideJava2dIsNotSwallowed() {
        assertThrows(ExceptionInInitializerError.class, () -> Common.drawOrSayWhy(out, "loss curves", png, () -> {
            throw new ExceptionInInitializerError("app.plot.LineChart");
        }));
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aFailedWriteIsStillAFailure() {
        assertThrows(IOException.class, () -> Common.drawOrSayWhy(out, "loss curves", png, () -> {
            throw new IOException("disk full");
        }));
    }
}
