package app.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few protocol-buffer encodings TensorBoard's event files need, written by hand (no protobuf
 * library): a field is a key (field number · 8 + wire type) followed by a varint (type 0), eight
 * little-endian bytes (type 1), a length-prefixed run of bytes (type 2) or four little-endian
 * bytes (type 5). See https://protobuf.dev/programming-guides/encoding/.
 */
final class ProtoWriter {
    private static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter float64(int field, double value) {
        key(field, FIXED64);
        rawLittleEndian(Double.doubleToRawLongBits(value), 8);
        return this;
    }

    ProtoWriter float32(int field, float value) {
        key(field, FIXED32);
        rawLittleEndian(Float.floatToRawIntBits(value), 4);
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    /** A packed repeated double: one length-delimited field holding the values' eight bytes each. */
    ProtoWriter packedFloat64(int field, double[] values, int n) {
        key(field, LENGTH_DELIMITED);
        rawVarint(8L * n);
        for (int i = 0; i < n; i++) rawLittleEndian(Double.doubleToRawLongBits(values[i]), 8);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
    }

    /** Seven bits a byte, low first; the high bit says another byte follows. */
    private void rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private void rawLittleEndian(long v, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (v >>> 8 * i) & 0xFF);
    }
}
