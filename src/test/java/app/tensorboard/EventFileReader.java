package app.tensorboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads an event file back for the tests: every record's two CRCs are checked, and each Event is
 * decoded into its wall time, step, file version and summary values (tag, simple_value, whether it
 * holds an image or a histogram, and the histogram's count).
 */
final class EventFileReader {
    record Value(String tag, Float simple, byte[] image, double histogramCount) {}

    record Event(double wallTime, long step, String fileVersion, List<Value> values) {}

    static List<Event> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            int at = in.position();
            byte[] length = new byte[8];
            in.get(length);
            check(EventFile.maskedCrc32c(length), in.getInt(), "length", at);
            byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            in.get(data);
            check(EventFile.maskedCrc32c(data), in.getInt(), "data", at);
            events.add(event(data));
        }
        return events;
    }

    private static void check(int expected, int stored, String what, int offset) {
        if (expected != stored) throw new IllegalStateException("bad " + what + " CRC in the record at offset " + offset);
    }

    private static Event event(byte[] data) {
        Fields f = new Fields(data);
        double wall = 0;
        long step = 0;
        String version = null;
        List<Value> values = new ArrayList<>();
        while (f.next()) {
            switch (f.field) {
                case 1 -> wall = Double.longBitsToDouble(f.fixed);
                case 2 -> step = f.varint;
                case 3 -> version = new String(f.bytes, StandardCharsets.UTF_8);
                case 5 -> {
                    Fields summary = new Fields(f.bytes);
                    while (summary.next()) if (summary.field == 1) values.add(value(summary.bytes));
                }
                default -> { }
            }
        }
        return new Event(wall, step, version, values);
    }

    private static Value value(byte[] data) {
        Fields f = new Fields(data);
        String tag = null;
        Float simple = null;
        byte[] image = null;
        double count = 0;
        while (f.next()) {
            switch (f.field) {
                case 1 -> tag = new String(f.bytes, StandardCharsets.UTF_8);
                case 2 -> simple = Float.intBitsToFloat((int) f.fixed);
                case 4 -> {
                    Fields img = new Fields(f.bytes);
                    while (img.next()) if (img.field == 4) image = img.bytes;
                }
                case 5 -> {
                    Fields h = new Fields(f.bytes);
                    while (h.next()) if (h.field == 3) count = Double.longBitsToDouble(h.fixed);
                }
                default -> { }
            }
        }
        return new Value(tag, simple, image, count);
    }

    /** A cursor over one message's fields. */
    private static final class Fields {
        final byte[] data;
        int pos, field;
        long varint, fixed;
        byte[] bytes;

        Fields(byte[] data) {
            this.data = data;
        }

        boolean next() {
            if (pos >= data.length) return false;
            long key = readVarint();
            field = (int) (key >>> 3);
            switch ((int) (key & 7)) {
                case 0 -> varint = readVarint();
                case 1 -> fixed = readFixed(8);
                case 2 -> {
                    int n = (int) readVarint();
                    bytes = Arrays.copyOfRange(data, pos, pos + n);
                    pos += n;
                }
                case 5 -> fixed = readFixed(4);
                default -> throw new IllegalStateException("wire type " + (key & 7) + " at " + pos);
            }
            return true;
        }

        private long readVarint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = data[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) return v;
            }
        }

        private long readFixed(int n) {
            long v = 0;
            for (int i = 0; i < n; i++) v |= (long) (data[pos++] & 0xFF) << 8 * i;
            return v;
        }
    }
}
