package app.cli;

import static app.cli.TrainCommandTest.nabla;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensor.io.Json;

/** {@code nabla tune} on the embedded digits: results independent of --parallel, a killed tune resumes, the best as a command. */
class TuneCommandTest {
    @TempDir
    Path dir;

    static final String SPACE = "lr=log:1e-2:0.5; model=64-16-10,64-32-10; momentum=0,0.9";

    TrainCommandTest.Result tune(String out, String... more) {
        List<String> a = new ArrayList<>(List.of("tune", "--space", SPACE, "--trials", "4", "--max-epochs", "2", "--subset", "500",
                "--scheduler", "random", "--threads", "2", "--out", dir.resolve(out).toString()));
        a.addAll(List.of(more));
        return nabla(a.toArray(String[]::new));
    }

    /** Each trial's lines of results.jsonl with the wall-clock fields removed, by trial, in file order per trial. */
    Map<Long, List<Object>> records(String out) throws Exception {
        Map<Long, List<Object>> byTrial = new TreeMap<>();
        List<String> lines = Files.readAllLines(dir.resolve(out).resolve("results.jsonl"), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            Map<?, ?> m = (Map<?, ?>) Json.parse(line);
            Map<Object, Object> kept = new TreeMap<>();
            m.forEach((k, v) -> {
                if (!k.equals("seconds") && !k.equals("examples_per_second")) kept.put(k, v);
            });
            byTrial.computeIfAbsent((Long) m.get("trial"), k -> new ArrayList<>()).add(kept);
        }
        return byTrial;
    }

    @Test
    void resultsAreTheSameForParallelOneAndTwo() throws Exception {
        TrainCommandTest.Result one = tune("p1", "--parallel", "1");
        assertEquals(0, one.exit(), one.err());
        TrainCommandTest.Result two = tune("p2", "--parallel", "2");
        assertEquals(0, two.exit(), two.err());
        Map<Long, List<Object>> a = records("p1"), b = records("p2");
        assertEquals(4, a.size(), a.toString());
        assertEquals(a, b);
        assertTrue(one.out().contains("4 trials: 4 finished, 0 pruned, 0 failed; 8 epochs in all"), one.out());
        assertTrue(one.out().contains("train it: ./nabla train --lr "), one.out());
        byte[] png = Files.readAllBytes(dir.resolve("p1/val-loss.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    }

    @Test
    void aKilledTuneContinuesWhereItStoppedAndEndsAsAnUninterruptedOne() throws Exception {
        assertEquals(0, tune("full").exit());
        TrainCommandTest.Result first = tune("cut");
        assertEquals(0, first.exit(), first.err());
        // as if killed in trial 2's second epoch, mid-line: keep the header, trials 0 and 1, trial 2's start and first epoch, half a line
        Path file = dir.resolve("cut/results.jsonl");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> kept = new ArrayList<>(lines.subList(0, 1));
        List<String> trial2 = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            if (l.startsWith("{\"trial\":0,") || l.startsWith("{\"trial\":1,")) kept.add(l);
            if (l.startsWith("{\"trial\":2,")) trial2.add(l);
        }
        kept.addAll(trial2.subList(0, 2));
        kept.add(trial2.get(2).substring(0, 20));
        Files.write(file, kept, StandardCharsets.UTF_8);

        TrainCommandTest.Result resumed = tune("cut");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("2 trials already ended"), resumed.out());
        assertTrue(!resumed.out().contains("    0  running"), "trial 0 does not run again: " + resumed.out());
        assertEquals(records("full"), records("cut"));
    }

    @Test
    void anotherTuneInTheSameFolderIsRefused() {
        assertEquals(0, tune("same").exit());
        TrainCommandTest.Result r = tune("same", "--seed", "7");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.err().contains("holds the results of another tune"), r.err());
    }

    /** 9 trials of up to 9 epochs (rungs at 1 and 3 with asha); {@code more} may set another --scheduler. */
    TrainCommandTest.Result asha(String out, String... more) {
        List<String> a = new ArrayList<>(List.of("tune", "--space", SPACE, "--trials", "9", "--max-epochs", "9", "--subset", "500",
                "--threads", "2", "--out", dir.resolve(out).toString()));
        if (!List.of(more).contains("--scheduler")) a.addAll(List.of("--scheduler", "asha"));
        a.addAll(List.of(more));
        return nabla(a.toArray(String[]::new));
    }

    @Test
    void ashaPausesTrialsAtRungsPromotesSomeAndSpendsFewerEpochs() throws Exception {
        TrainCommandTest.Result r = asha("asha");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("rungs at [1, 3] epochs, eta 3"), r.out());
        assertTrue(r.out().contains("promoted    1->3"), r.out());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) pruned, \\d+ failed; (\\d+) epochs in all").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Integer.parseInt(m.group(1)) > 0 && Integer.parseInt(m.group(2)) < 81, r.out());
        // every trial ends once, after 1, 3 or 9 epochs, with its epochs numbered 1, 2, ... across its pauses
        for (Map.Entry<Long, List<Object>> e : records("asha").entrySet()) {
            List<Object> lines = e.getValue();
            Map<?, ?> end = (Map<?, ?>) lines.get(lines.size() - 1);
            long n = (Long) end.get("epochs");
            assertTrue(n == 1 || n == 3 || n == 9, e.toString());
            assertEquals(n + 2, lines.size(), e.toString());
            for (int i = 1; i <= n; i++) assertEquals((long) i, ((Map<?, ?>) lines.get(i)).get("epoch"), e.toString());
        }
    }

    @Test
    void everyEpochAshaRunsWithOneOrTwoWorkersIsTheEpochOfTheTrialTrainedStraightThrough() throws Exception {
        TrainCommandTest.Result straight = asha("random", "--scheduler", "random");
        assertEquals(0, straight.exit(), straight.err());
        TrainCommandTest.Result one = asha("a1", "--parallel", "1");
        assertEquals(0, one.exit(), one.err());
        TrainCommandTest.Result two = asha("a2", "--parallel", "2");
        assertEquals(0, two.exit(), two.err());
        // a trial paused at rungs and resumed from its state computes what it computes in one go; which trials go on
        // may differ between one and two workers (the order in which losses reach a rung)
        Map<Long, List<Object>> r = records("random");
        for (String run : List.of("a1", "a2")) {
            Map<Long, List<Object>> a = records(run);
            assertEquals(r.keySet(), a.keySet());
            for (long t : a.keySet()) {
                List<Object> lines = a.get(t);
                assertEquals(r.get(t).subList(0, lines.size() - 1), lines.subList(0, lines.size() - 1), run + ", trial " + t);
            }
        }
    }

    @Test
    void aKilledAshaTuneRetrainsItsPausedTrialsAndEndsAsAnUninterruptedOne() throws Exception {
        assertEquals(0, asha("full").exit());
        TrainCommandTest.Result first = asha("cut");
        assertEquals(0, first.exit(), first.err());
        // as if killed in the first epoch after a promotion (epoch 2), mid-line: the file up to there and half that line
        Path file = dir.resolve("cut/results.jsonl");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int cut = 1;
        while (!lines.get(cut).contains("\"epoch\":2,")) cut++;
        List<String> kept = new ArrayList<>(lines.subList(0, cut));
        kept.add(lines.get(cut).substring(0, 20));
        Files.write(file, kept, StandardCharsets.UTF_8);

        TrainCommandTest.Result resumed = asha("cut");
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("paused at a rung"), resumed.out());
        assertTrue(resumed.out().contains("its training is not in memory"), resumed.out());
        assertTrue(!resumed.out().contains("note: "), "the retrained epochs are the logged ones: " + resumed.out());
        assertEquals(records("full"), records("cut"));
    }

    @Test
    void aFlagTrainDoesNotHaveOrThatTuneSetsIsABadUsage() {
        TrainCommandTest.Result r = nabla("tune", "--space", "lernrate=0.1,0.2", "--out", dir.resolve("x").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("'lernrate' is not a flag of ./nabla train"), r.err());
        r = nabla("tune", "--space", "epochs=1,2", "--out", dir.resolve("x").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--epochs is set by tune itself"), r.err());
    }
}
