package tensor.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal JSON reader and writer (RFC 8259), enough for safetensors headers and metrics lines.
 *
 * <p>Values map to Java as: object → {@code LinkedHashMap<String,Object>} (key order kept),
 * array → {@code ArrayList<Object>}, string → String, integer without fraction or exponent →
 * Long (or an error when it does not fit), other numbers → Double, true/false → Boolean,
 * null → null. The reader bounds nesting depth and rejects duplicate keys, trailing garbage and
 * anything else a strict parser would; errors carry the character offset of the problem.
 */
public final class Json {
    /** Deeper nesting than this is refused (a hostile header cannot blow the stack). */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /** A JSON syntax error at a character offset of the parsed text. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int offset;

        ParseException(int offset, String message) {
            super("JSON at character " + offset + ": " + message);
            this.offset = offset;
        }

        public int offset() { return offset; }
    }

    // ---------------------------------------------------------------- reading

    /** Parses one JSON value that spans the whole text (surrounding whitespace allowed). */
    public static Object parse(String text) throws ParseException {
        Json p = new Json(text);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "' after the value");
        return v;
    }

    private Object value(int depth) throws ParseException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (pos >= text.length()) throw error("unexpected end of text, expected a value");
        char c = text.charAt(pos);
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected '" + c + "', expected a value");
        }
    }

    private Map<String, Object> object(int depth) throws ParseException {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++; // '{'
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a string key");
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth + 1);
            if (map.containsKey(key)) throw new ParseException(keyAt, "duplicate key \"" + key + "\"");
            map.put(key, v);
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') return map;
            if (c != ',') throw new ParseException(pos - 1, "expected ',' or '}' in an object");
        }
    }

    private List<Object> array(int depth) throws ParseException {
        List<Object> list = new ArrayList<>();
        pos++; // '['
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth + 1));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') return list;
            if (c != ',') throw new ParseException(pos - 1, "expected ',' or ']' in an array");
        }
    }

    private String string() throws ParseException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw error("unterminated string");
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw new ParseException(pos - 1, "control character in a string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw error("unterminated escape");
            char e = text.charAt(pos++);
            switch (e) {
                case '"': sb.append('"'); break;
                case '\\': sb.append('\\'); break;
                case '/': sb.append('/'); break;
                case 'b': sb.append('\b'); break;
                case 'f': sb.append('\f'); break;
                case 'n': sb.append('\n'); break;
                case 'r': sb.append('\r'); break;
                case 't': sb.append('\t'); break;
                case 'u':
                    if (pos + 4 > text.length()) throw error("short \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) throw new ParseException(pos + i, "bad hex digit in \\u escape");
                        code = code * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) code);
                    break;
                default:
                    throw new ParseException(pos - 1, "unknown escape \\" + e);
            }
        }
    }

    private Object number() throws ParseException {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("expected a digit");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("expected a digit after '.'");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("expected a digit in the exponent");
            while (isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException overflow) {
                throw new ParseException(start, "integer " + s + " does not fit in 64 bits");
            }
        }
        return Double.parseDouble(s);
    }

    private Object literal(String word, Object v) throws ParseException {
        if (!text.startsWith(word, pos)) throw error("unexpected token, expected " + word);
        pos += word.length();
        return v;
    }

    private void expect(char c) throws ParseException {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos++;
        }
    }

    private ParseException error(String message) {
        return new ParseException(pos, message);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Compact JSON of a value built from Map (String keys), List, String, Number, Boolean, null,
     * float[]/double[]/int[]/long[]. A non-finite number is written as null (JSON has no NaN).
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    /** Appends the compact JSON of {@code value} to {@code sb}. */
    public static void write(Object value, StringBuilder sb) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            quote(s, sb);
        } else if (value instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) sb.append("null");
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d).append(".0");
            else sb.append(value instanceof Float ? Float.toString((Float) value) : Double.toString(d));
        } else if (value instanceof Number n) {
            sb.append(n.longValue());
        } else if (value instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                }
                if (!first) sb.append(',');
                first = false;
                quote(k, sb);
                sb.append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (value instanceof Iterable<?> it) {
            sb.append('[');
            boolean first = true;
            for (Object o : it) {
                if (!first) sb.append(',');
                first = false;
                write(o, sb);
            }
            sb.append(']');
        } else if (value instanceof int[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ",").append(a[i]);
            sb.append(']');
        } else if (value instanceof long[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) sb.append(i == 0 ? "" : ",").append(a[i]);
            sb.append(']');
        } else if (value instanceof double[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) sb.append(',');
                write(a[i], sb);
            }
            sb.append(']');
        } else if (value instanceof float[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) sb.append(',');
                write(a[i], sb);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + value.getClass().getName() + " as JSON");
        }
    }

    /** Appends {@code s} as a JSON string literal, escaping quotes, backslashes and control characters. */
    public static void quote(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
            }
        }
        sb.append('"');
    }
}
