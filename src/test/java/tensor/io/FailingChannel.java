package tensor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/** A channel that accepts {@code budget} bytes and then fails, like a full disk or a killed process. */
final class FailingChannel implements WritableByteChannel {
    private final FileChannel inner;
    private long budget;

    FailingChannel(FileChannel inner, long budget) {
        this.inner = inner;
        this.budget = budget;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (budget <= 0) throw new IOException("simulated crash mid-save");
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + (int) Math.min(src.remaining(), budget));
        int w = inner.write(part);
        src.position(src.position() + w);
        budget -= w;
        return w;
    }

    @Override public boolean isOpen() { return inner.isOpen(); }
    @Override public void close() throws IOException { inner.close(); }
}
