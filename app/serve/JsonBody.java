package app.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) over a request body's UTF-8 bytes, made for tensors: every number
 * inside an array goes straight into one growing float[] (no boxing), and the array is returned as a
 * {@link Numbers} range of it; nested arrays of numbers are lists whose leaves are consecutive ranges.
 * Objects are {@code LinkedHashMap}, strings String, numbers outside arrays Double, true/false
 * Boolean. Errors name the character position; NaN and Infinity are not JSON and are refused.
 */
final class JsonBody {
    static final int MAX_DEPTH = 32;

    /** {@code count} floats of {@link #floats} starting at {@code start}: one JSON array of numbers. */
    record Numbers(int start, int count) {}

    private final byte[] s;
    private final int end;
    private int pos;
    float[] floats;
    int used;

    private JsonBody(byte[] s, int len) {
        this.s = s;
        this.end = len;
        floats = new float[len / 2 + 1]; // numbers are separated by commas: at most (len + 1) / 2 of them, so the array never grows
    }

    /** Parses the first {@code len} bytes as one JSON value. */
    static JsonBody parse(byte[] body, int len, Object[] root) throws HttpError {
        JsonBody p = new JsonBody(body, len);
        p.ws();
        root[0] = p.value(0);
        p.ws();
        if (p.pos != len) throw p.error("unexpected '" + (char) (p.s[p.pos] & 0xff) + "' after the JSON value");
        return p;
    }

    private Object value(int depth) throws HttpError {
        if (depth > MAX_DEPTH) throw error("JSON nested deeper than " + MAX_DEPTH);
        if (pos >= end) throw error("unexpected end of the body, expected a JSON value");
        int c = s[pos];
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return (double) number();
                if (c == 'N' || c == 'I') throw error("NaN and Infinity are not JSON numbers (inputs must be finite)");
                throw error("unexpected '" + (char) (c & 0xff) + "', expected a JSON value");
        }
    }

    private Map<String, Object> object(int depth) throws HttpError {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        ws();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            ws();
            if (peek() != '"') throw error("expected a string key in a JSON object");
            int at = pos;
            String key = string();
            ws();
            if (peek() != ':') throw error("expected ':' after a key");
            pos++;
            ws();
            Object v = value(depth + 1);
            if (map.containsKey(key)) throw new HttpError(400, "JSON at character " + at + ": duplicate key \"" + key + "\"");
            map.put(key, v);
            ws();
            int c = peek();
            pos++;
            if (c == '}') return map;
            if (c != ',') throw new HttpError(400, "JSON at character " + (pos - 1) + ": expected ',' or '}' in an object");
        }
    }

    /** An array of numbers becomes a {@link Numbers} range; any other array a List. */
    private Object array(int depth) throws HttpError {
        pos++;
        ws();
        int start = used;
        if (peek() == ']') {
            pos++;
            return new Numbers(start, 0);
        }
        List<Object> list = null;
        while (true) {
            ws();
            int c = peek();
            if (list == null && (c == '-' || (c >= '0' && c <= '9'))) {
                add(number());
            } else {
                if (list == null) {
                    if (used > start) throw error("an array mixes numbers and other values");
                    list = new ArrayList<>();
                }
                if (c == '-' || (c >= '0' && c <= '9')) throw error("an array mixes numbers and other values");
                if (c == 'N' || c == 'I') throw error("NaN and Infinity are not JSON numbers (inputs must be finite)");
                list.add(value(depth + 1));
            }
            ws();
            c = peek();
            pos++;
            if (c == ']') return list == null ? new Numbers(start, used - start) : list;
            if (c != ',') throw new HttpError(400, "JSON at character " + (pos - 1) + ": expected ',' or ']' in an array");
        }
    }

    private void add(float v) {
        if (used == floats.length) floats = java.util.Arrays.copyOf(floats, floats.length * 2);
        floats[used++] = v;
    }

    /** A JSON number as the nearest float (correctly rounded, see {@link FloatText}). */
    private float number() throws HttpError {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (digit(peek())) {
            while (digit(peek())) pos++;
        } else {
            throw error("expected a digit");
        }
        if (peek() == '.') {
            pos++;
            if (!digit(peek())) throw error("expected a digit after '.'");
            while (digit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!digit(peek())) throw error("expected a digit in the exponent");
            while (digit(peek())) pos++;
        }
        float v = FloatText.parse(s, start, pos);
        if (Float.isInfinite(v)) throw new HttpError(400, "JSON at character " + start + ": the number does not fit in float32 (FP32)");
        return v;
    }

    private String string() throws HttpError {
        pos++;
        int start = pos;
        StringBuilder sb = null;
        while (true) {
            if (pos >= end) throw error("unterminated string");
            int c = s[pos++] & 0xff;
            if (c == '"') {
                String tail = new String(s, start, pos - 1 - start, StandardCharsets.UTF_8);
                return sb == null ? tail : sb.append(tail).toString();
            }
            if (c < 0x20) throw new HttpError(400, "JSON at character " + (pos - 1) + ": control character in a string");
            if (c != '\\') continue;
            if (sb == null) sb = new StringBuilder();
            sb.append(new String(s, start, pos - 1 - start, StandardCharsets.UTF_8));
            if (pos >= end) throw error("unterminated escape");
            int e = s[pos++];
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > end) throw error("short \\u escape");
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s[pos + i], 16);
                        if (d < 0) throw new HttpError(400, "JSON at character " + (pos + i) + ": bad hex digit in \\u escape");
                        code = code * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) code);
                }
                default -> throw new HttpError(400, "JSON at character " + (pos - 1) + ": unknown escape \\" + (char) e);
            }
            start = pos;
        }
    }

    private Object literal(String word, Object v) throws HttpError {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= end || s[pos + i] != word.charAt(i)) throw error("unexpected token, expected " + word);
        }
        pos += word.length();
        return v;
    }

    private int peek() {
        return pos < end ? s[pos] : 0;
    }

    private static boolean digit(int c) {
        return c >= '0' && c <= '9';
    }

    private void ws() {
        while (pos < end) {
            int c = s[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos++;
        }
    }

    private HttpError error(String message) {
        return new HttpError(400, "JSON at character " + pos + ": " + message);
    }
}
