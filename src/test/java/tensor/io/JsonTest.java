package tensor.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void parsesEveryKindOfValue() throws Exception {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, true, false, null], \"s\": \"q\\\"\\\\\\n\\u00e9\", \"e\": {}, \"l\": []} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, -25.0, true, false), ((List<?>) m.get("a")).subList(0, 4));
        assertNull(((List<?>) m.get("a")).get(4));
        assertEquals("q\"\\\né", m.get("s"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("l"));
        assertEquals(List.of("a", "s", "e", "l"), List.copyOf(m.keySet()), "key order is kept");
    }

    @Test
    void writesWhatItReads() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "tab\there \"quoted\" \u0001");
        m.put("shape", new int[] {2, 3});
        m.put("offsets", new long[] {0, 24});
        m.put("loss", 0.25);
        m.put("nan", Double.NaN);
        m.put("list", List.of(1, "x", false));
        String json = Json.write(m);
        assertEquals("{\"name\":\"tab\\there \\\"quoted\\\" \\u0001\",\"shape\":[2,3],\"offsets\":[0,24],\"loss\":0.25,"
                + "\"nan\":null,\"list\":[1,\"x\",false]}", json);
        Map<?, ?> back = (Map<?, ?>) Json.parse(json);
        assertEquals(m.get("name"), back.get("name"));
        assertEquals(List.of(2L, 3L), back.get("shape"));
        assertNull(back.get("nan"));
    }

    @Test
    void rejectsMalformedTextWithAnOffset() {
        String[] bad = {"", "{", "{\"a\":1,}", "[1 2]", "{\"a\":1}x", "\"abc", "01", "1.", "-", "{\"a\":1,\"a\":2}",
                "tru", "\"\\x\"", "{1:2}", "99999999999999999999", "\"a\u0001\""};
        for (String s : bad) {
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().startsWith("JSON at character"), e.getMessage());
        }
        Json.ParseException dup = assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertTrue(dup.getMessage().contains("duplicate key \"a\""), dup.getMessage());
    }

    @Test
    void boundsNestingDepth() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
    }
}
