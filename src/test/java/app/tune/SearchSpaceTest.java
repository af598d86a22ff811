package app.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --space: lists, ranges, seeded draws, the grid. */
class SearchSpaceTest {
    @Test
    void theIssuesExampleParses() {
        SearchSpace s = SearchSpace.parse("lr=log:1e-4:1; batch=32,64,128; model=784-128-10,784-256-128-10; dropout=0:0.5; "
                + "momentum=0,0.9; activation=relu,tanh");
        assertEquals(List.of("lr", "batch", "model", "dropout", "momentum", "activation"), List.copyOf(s.flags().keySet()));
        assertEquals(new SearchSpace.Range("log", 1e-4, 1), s.flags().get("lr"));
        assertEquals(new SearchSpace.Choice(List.of("784-128-10", "784-256-128-10")), s.flags().get("model"));
        assertEquals(new SearchSpace.Range("uniform", 0, 0.5), s.flags().get("dropout"));
    }

    @Test
    void aListMayHoldValuesWithColons() {
        assertEquals(new SearchSpace.Choice(List.of("exp:0.9", "none")), SearchSpace.parse("lr-decay=exp:0.9,none").flags().get("lr-decay"));
        assertEquals(new SearchSpace.Choice(List.of("step:5:0.5", "exp:0.8")),
                SearchSpace.parse("lr-decay=step:5:0.5,exp:0.8").flags().get("lr-decay"));
        assertEquals(new SearchSpace.Range("uniform", 0, 0.5), SearchSpace.parse("dropout=0:0.5").flags().get("dropout"));
    }

    @Test
    void drawsAreFunctionsOfSeedAndTrialAndStayInTheirRanges() {
        SearchSpace s = SearchSpace.parse("lr=log:1e-4:1; hidden=int:3:5; batch=32,64");
        assertEquals(s.sample(42, 7), s.sample(42, 7));
        boolean differs = false;
        for (int i = 0; i < 50; i++) {
            Map<String, String> m = s.sample(42, i);
            double lr = Double.parseDouble(m.get("lr"));
            assertTrue(lr >= 1e-4 * 0.999 && lr <= 1.001, m.toString());
            int h = Integer.parseInt(m.get("hidden"));
            assertTrue(h >= 3 && h <= 5, m.toString());
            differs |= !m.equals(s.sample(42, 0));
        }
        assertTrue(differs);
    }

    @Test
    void theGridIsEveryCombinationFirstFlagSlowest() {
        List<Map<String, String>> g = SearchSpace.parse("a=1,2; b=x,y,z").grid();
        assertEquals(6, g.size());
        assertEquals(Map.of("a", "1", "b", "x"), g.get(0));
        assertEquals(Map.of("a", "1", "b", "z"), g.get(2));
        assertEquals(Map.of("a", "2", "b", "x"), g.get(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("lr=log:1e-3:1").grid());
        assertTrue(e.getMessage().contains("lr is a range"), e.getMessage());
    }

    @Test
    void badPartsAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("lr")).getMessage().contains("'lr' is not FLAG=VALUES"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("lr=1:0")).getMessage().contains("LO < HI"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("lr=log:0:1")).getMessage().contains("LO > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("a=1; a=2")).getMessage().contains("twice"));
    }
}
