package app.tensorboard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFileTest {
    /**
     * The bytes TensorBoard 2.21's own RecordWriter and event_pb2 write for: Event{wall_time 1.5,
     * file_version "brain.Event:2"}, Event{2.25, step 7, train_loss = 0.25}, Event{3.0, step 300,
     * val/accuracy = 0.8125} (bench/tensorboard_check.py --golden prints them).
     */
    private static final String GOLDEN = "1800000000000000a37f4b2209000000000000f83f1a0d627261696e2e4576656e743a322a28646c"
            + "200000000000000029eda95009000000000000024010072a130a110a0a747261696e5f6c6f7373150000803e16b2fb8e"
            + "2300000000000000b09f774309000000000000084010ac022a150a130a0c76616c2f6163637572616379150000503f3925a9be";

    @Test
    void scalarsAreByteForByteWhatTensorBoardWrites(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.out.tfevents.1.test");
        try (EventFile events = EventFile.at(file, 1.5)) {
            events.scalar("train_loss", 7, 0.25f, 2.25);
            events.scalar("val/accuracy", 300, 0.8125f, 3.0);
        }
        assertEquals(GOLDEN, HexFormat.of().formatHex(Files.readAllBytes(file)));
    }

    @Test
    void maskedCrcOfAKnownRecordLength() {
        // the first record's length field (24, little-endian) and its mask from the golden bytes
        byte[] length = HexFormat.of().parseHex("1800000000000000");
        assertEquals(0x224b7fa3, EventFile.maskedCrc32c(length));
    }

    @Test
    void everyKindOfEventReadsBackWithItsCrcs(@TempDir Path dir) throws Exception {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        Path file;
        try (EventFile events = EventFile.create(dir.resolve("run"))) {
            file = events.path();
            events.scalar("loss", 1, 0.5f);
            events.histogram("w", 1, new float[] {-1f, 0f, 0.5f, 2f, 2f}, 5);
            events.histogram("constant", 1, new float[] {3f, 3f}, 2);
            events.image("grid", 2, png, 3, 1);
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."), file.toString());
        List<EventFileReader.Event> events = EventFileReader.read(file);
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(0.5f, events.get(1).values().get(0).simple());
        assertEquals(5.0, events.get(2).values().get(0).histogramCount());
        assertEquals(2.0, events.get(3).values().get(0).histogramCount());
        assertArrayEquals(png, events.get(4).values().get(0).image());
        assertEquals(2, events.get(4).step());
    }

    @Test
    void aDamagedRecordIsNoticed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.out.tfevents.1.test");
        try (EventFile events = EventFile.at(file, 1.5)) {
            events.scalar("train_loss", 7, 0.25f, 2.25);
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1; // a bit of the last float
        Files.write(file, bytes);
        assertNotNull(assertThrows(IllegalStateException.class, () -> EventFileReader.read(file)));
    }
}
