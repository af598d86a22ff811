package app.clean;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import tensor.io.AtomicFile;

/**
 * {@code clean --apply FILE} on an image folder ({@code root/<class>/<image>}): a deleted image moves
 * to {@code root/.nabla-trash/<class>/}, a relabelled one into its new class folder; a name already
 * taken there gets {@code -1}, {@code -2}, ... before its extension. Every line of the file is checked
 * before the first move, and the moves are written to an undo log, {@code root/.nabla-trash/undo-<time>.csv}
 * ({@code from,to} under the root), before they are made; {@code --undo LOG} moves them back. Nothing
 * is ever overwritten or removed. The loader skips folders whose name starts with a dot, so the trash
 * is not a class.
 */
public final class FolderEdits {
    public static final String TRASH = ".nabla-trash";
    static final String LOG_HEADER = "from,to";

    /** A file moved from {@code from} to {@code to}, both relative to the root with '/' separators. */
    public record Move(String from, String to) {}

    /** What {@link #apply} did: the log and how many images it moved where. */
    public record Applied(Path log, int deleted, int relabelled, int kept) {}

    /** What {@link #undo} did. */
    public record Undone(int movedBack, int missing, List<String> renamed) {}

    private FolderEdits() {}

    /** Applies {@code overrides} to the image folder {@code root}; {@code now} names the undo log. */
    public static Applied apply(LabelOverrides overrides, Path root, LocalDateTime now) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + " is not a folder: --apply moves the images of an image folder");
        Set<String> classes = new HashSet<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).forEach(classes::add);
        }
        if (classes.isEmpty()) throw new IOException(root + " has no class folders: --apply works on an image folder root/<class>/<image>");
        String spec = root.toString();
        String trainName = LabelOverrides.datasetName(spec, "train"), testName = LabelOverrides.datasetName(spec, "test");
        List<Move> moves = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        int deleted = 0, relabelled = 0, kept = 0;
        for (LabelOverrides.Decision d : overrides.decisions()) {
            if (!d.dataset().equals(trainName) && !d.dataset().equals(testName)) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "dataset '" + d.dataset() + "' is not the image folder " + root
                        + " (" + trainName + " or " + testName + "): the file is for another dataset");
            }
            String[] parts = d.example().split("/", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || parts[0].startsWith(".") || parts[1].equals("..")) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "example '" + d.example() + "' is not an image of the folder: "
                        + "expected <class>/<file>, e.g. cat/001.png");
            }
            if (!Files.isRegularFile(root.resolve(parts[0]).resolve(parts[1]))) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "no image " + d.example() + " under " + root
                        + " (moved since the decision? a file already applied is not applied again)");
            }
            if (!d.oldLabel().equals(parts[0])) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "old label '" + d.oldLabel() + "' does not match the data: "
                        + d.example() + " is in the folder of class '" + parts[0] + "'");
            }
            String folder;
            if (d.deletes()) {
                folder = TRASH + "/" + parts[0];
                deleted++;
            } else if (!classes.contains(d.newLabel())) {
                throw new LabelOverrides.BadFile(overrides.file(), d.line(), "unknown class '" + d.newLabel() + "': " + root + " has "
                        + String.join(", ", classes.stream().sorted().toList()) + " (or delete)");
            } else if (d.keeps()) {
                kept++;
                continue;
            } else {
                folder = d.newLabel();
                relabelled++;
            }
            moves.add(new Move(d.example(), free(root, folder, parts[1], taken)));
        }
        Path trash = root.resolve(TRASH);
        Files.createDirectories(trash);
        Path log = logFile(trash, now);
        writeLog(log, moves); // first the plan: a crash half-way still leaves what to undo
        int done = 0;
        for (Move m : moves) {
            Path to = root.resolve(m.to());
            Files.createDirectories(to.getParent());
            try {
                Files.move(root.resolve(m.from()), to); // no REPLACE_EXISTING: never over a file
            } catch (IOException e) {
                throw new IOException("moved " + done + " of " + moves.size() + " images, then " + m.from() + " → " + m.to() + " failed: "
                        + e.getMessage() + "; --undo " + log + " moves back those done", e);
            }
            done++;
        }
        return new Applied(log, deleted, relabelled, kept);
    }

    /** Moves back what the undo log {@code log} (in {@code root/.nabla-trash/}) lists, last first; then renames it *.undone. */
    public static Undone undo(Path log) throws IOException {
        Path trash = log.toAbsolutePath().normalize().getParent();
        if (trash == null || !trash.getFileName().toString().equals(TRASH) || trash.getParent() == null) {
            throw new IOException(log + " is not an undo log of --apply: those are written to <root>/" + TRASH + "/undo-<time>.csv");
        }
        Path root = trash.getParent();
        List<Move> moves = readLog(log);
        int back = 0, missing = 0;
        List<String> renamed = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (int i = moves.size() - 1; i >= 0; i--) {
            Move m = moves.get(i);
            Path now = root.resolve(m.to());
            if (!Files.isRegularFile(now)) {
                missing++; // never moved (an --apply that stopped), or moved on by hand since
                continue;
            }
            int slash = m.from().lastIndexOf('/');
            String folder = m.from().substring(0, slash), name = m.from().substring(slash + 1);
            String target = free(root, folder, name, taken);
            if (!target.equals(m.from())) renamed.add(m.from() + " → " + target);
            Files.createDirectories(root.resolve(target).getParent());
            Files.move(now, root.resolve(target));
            back++;
        }
        Path done = log.resolveSibling(log.getFileName() + ".undone");
        try {
            Files.move(log, done);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("moved " + back + " images back, but " + done + " exists, so " + log + " keeps its name");
        }
        return new Undone(back, missing, renamed);
    }

    /** {@code folder/name}, or {@code folder/stem-N.ext} with the first N not taken on the disk or by another move. */
    private static String free(Path root, String folder, String name, Set<String> taken) {
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : "";
        for (int n = 0; ; n++) {
            String candidate = folder + "/" + (n == 0 ? name : stem + "-" + n + ext);
            if (!taken.contains(candidate) && !Files.exists(root.resolve(candidate))) {
                taken.add(candidate);
                return candidate;
            }
        }
    }

    /** A relative path of at least two names, none empty, "." or "..": it cannot leave the root. */
    private static boolean underRoot(String path) {
        String[] names = path.split("/", -1);
        if (names.length < 2) return false;
        for (String n : names) if (n.isEmpty() || n.equals(".") || n.equals("..")) return false;
        return true;
    }

    private static Path logFile(Path trash, LocalDateTime now) {
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        for (int n = 0; ; n++) {
            Path p = trash.resolve("undo-" + stamp + (n == 0 ? "" : "-" + n) + ".csv");
            if (!Files.exists(p) && !Files.exists(p.resolveSibling(p.getFileName() + ".undone"))) return p;
        }
    }

    private static void writeLog(Path log, List<Move> moves) throws IOException {
        StringBuilder sb = new StringBuilder(LOG_HEADER).append('\n');
        for (Move m : moves) sb.append(LabelOverrides.csv(m.from())).append(',').append(LabelOverrides.csv(m.to())).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(log, ch -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
        });
    }

    private static List<Move> readLog(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).strip().equals(LOG_HEADER)) {
            throw new LabelOverrides.BadFile(log, 1, "expected the header '" + LOG_HEADER + "' of an undo log");
        }
        List<Move> moves = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            List<String> f = LabelOverrides.fields(lines.get(i), log, i + 1);
            if (f.size() != 2 || !underRoot(f.get(0)) || !underRoot(f.get(1))) {
                throw new LabelOverrides.BadFile(log, i + 1, "expected from,to: two paths under the root, got '" + lines.get(i) + "'");
            }
            moves.add(new Move(f.get(0), f.get(1)));
        }
        return moves;
    }
}
