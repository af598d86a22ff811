package app.serve;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One client connection: its buffers, reused from request to request (a request always starts at
 * byte 0 of {@link #in}), the framing of one request at a time (head, then a Content-Length or
 * chunked body), and the writing of its answer.
 *
 * <p>Ownership: its {@link Loop} reads and frames requests; a request it cannot answer at once is
 * handed to a batcher or a worker ({@link #handOff}), which then owns the connection until its
 * answer is written, and gives it back: with a compare-and-set when nothing else is pending (the
 * common case, no wake-up of the loop), else through the loop's resume queue. The loop does not read
 * from a connection it has handed off; if the socket turns readable meanwhile (a pipelined request,
 * or the client closing), it stops watching it ({@link #park}) until the connection comes back.
 */
final class Conn {
    static final int BASE = 16 * 1024; // the read buffer, and the longest request head
    static final int LOOP = 0, AWAY = 1, PARKED = 2;
    static final int NEED_MORE = 0, COMPLETE = 1, ANSWERED = 2;
    private static final int HEAD = 0, BODY = 1, READY = 2;
    private static final int KEEP_OUT = 64 * 1024;
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Conn.class, "owner", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Loop loop;
    final Server server;
    final SocketChannel channel;
    SelectionKey key;
    int slot; // this connection's index in its loop's list

    final HttpHead head = new HttpHead();
    final RowsParser rows = new RowsParser();
    final Job job;
    final ByteText body = new ByteText(4096);
    /** The worker's task for this connection's request (one object per connection). */
    final Runnable work;
    private final ChunkedBody chunks = new ChunkedBody();
    private final ByteText out = new ByteText(256);
    private final ByteBuffer[] writing = new ByteBuffer[2];

    byte[] in = new byte[BASE];
    private ByteBuffer inBuffer = ByteBuffer.wrap(in);
    int limit;                  // bytes [0, limit) of in have been read
    private int phase = HEAD;
    int bodyStart, bodyLength;
    private int requestEnd;
    long requestStart;          // System.nanoTime() at the request's first byte; 0 between requests
    private long headTime;      // when its head was complete: the latency metric starts here
    long lastActive;
    long writeStart;
    private long reserved;      // bytes of the server's memory gate held for this request
    private boolean starved;    // a chunked body found no memory to grow into
    private boolean arriving;   // counted in Server.Arriving while the body of a model request comes
    @SuppressWarnings("unused") // through OWNER
    private volatile int owner;
    boolean closeAfter;         // close once the answer is written
    boolean pendingWrite;       // the answer did not fit the socket: the loop writes the rest
    boolean closed;
    boolean lingering;          // answered and half-closed: what the client still sends is read and dropped
    long lingerUntil;
    Metrics.Endpoint endpoint = Metrics.Endpoint.OTHER;
    String allow;               // an Allow header for a 405
    boolean retryAfter;         // a Retry-After header for a 503

    Conn(Loop loop, Server server, SocketChannel channel, long now) {
        this.loop = loop;
        this.server = server;
        this.channel = channel;
        this.job = new Job(j -> server.routes().batched(this, j));
        this.work = () -> server.routes().work(this);
        lastActive = now;
    }

    // ---------------------------------------------------------------- ownership

    int owner() { return (int) OWNER.getVolatile(this); }

    /** The loop gives the request to another thread, which answers it; call before handing it over. */
    void handOff() { OWNER.setVolatile(this, AWAY); }

    /** The hand-off failed (a full queue): the loop keeps the connection. */
    void takeBack() { OWNER.setVolatile(this, LOOP); }

    /** The loop saw the socket readable while the connection is away: true when it should stop watching it. */
    boolean park() { return OWNER.compareAndSet(this, AWAY, PARKED); }

    /** Back on the loop (from its resume queue). */
    void resumed() { OWNER.setVolatile(this, LOOP); }

    // ---------------------------------------------------------------- reading and framing

    /** Reads what the socket holds; false at the end of its stream. */
    boolean read(long now) throws IOException {
        if (limit == in.length) {
            if (phase != BODY || !head.chunked) return true; // nothing to read into: frame() answers (a head over BASE: 431)
            long cap = Math.min(2L * in.length, bodyStart + server.config().maxBodyBytes() + 2L * BASE);
            if (cap <= in.length || !grow(cap)) {
                starved = cap > in.length;
                return true;
            }
        }
        inBuffer.limit(in.length).position(limit);
        int n = channel.read(inBuffer);
        if (n < 0) return false;
        limit += n;
        lastActive = now;
        return true;
    }

    /**
     * Frames the request at the start of {@link #in}: {@link #NEED_MORE} bytes, {@link #COMPLETE}
     * (head and body are in; {@link #bodyStart}, {@link #bodyLength}), or {@link #ANSWERED}: it was
     * refused (a bad head, a body over the limit, the server stopping) and the answer is sent.
     */
    int frame(long now) {
        if (phase == READY) return NEED_MORE;
        if (phase == HEAD) {
            if (limit == 0) return NEED_MORE;
            if (requestStart == 0) {
                requestStart = now;
                server.inFlight.incrementAndGet();
            }
            int end = HttpHead.end(in, 0, limit);
            if (end < 0) return limit >= BASE ? refuse(431, "the request head is over " + BASE / 1024 + " KiB") : NEED_MORE;
            headTime = now;
            if (!head.parse(in, 0, end)) return refuse(head.status, head.error);
            closeAfter = head.close;
            endpoint = server.routes().endpoint(this);
            if (server.stopping() && requestStart - server.stopStart() >= 0) { // began after the stop: those before it are finished
                retryAfter = true;
                return refuse(503, "the server is stopping");
            }
            long max = server.config().maxBodyBytes();
            if (head.contentLength > max) {
                return refuse(413, "the body is " + head.contentLength + " bytes, more than the limit of " + max + " (--max-body-bytes)");
            }
            bodyStart = end;
            if (head.chunked) {
                chunks.start(end);
            } else if (end + Math.max(0, head.contentLength) > in.length && !grow(end + head.contentLength)) {
                retryAfter = true;
                return refuse(503, "the server holds as many request bodies as its memory allows; retry later");
            }
            phase = BODY;
            boolean waiting = head.chunked || limit - end < head.contentLength;
            if (waiting && head.expectContinue && limit == end) {
                try {
                    channel.write(ByteBuffer.wrap(Answer.CONTINUE)); // 25 bytes into an empty socket buffer
                } catch (IOException e) {
                    closeAfter = true;
                }
            }
            if (waiting && server.routes().modelRequest(this)) {
                arriving = true;
                server.arriving.incrementAndGet();
            }
        }
        // BODY
        if (head.chunked) {
            int r = chunks.decode(in, limit, server.config().maxBodyBytes());
            limit = chunks.compact(in, limit);
            if (r == ChunkedBody.MORE) {
                if (starved) {
                    retryAfter = true;
                    return refuse(503, "the server holds as many request bodies as its memory allows; retry later");
                }
                return NEED_MORE;
            }
            if (r != ChunkedBody.DONE) return refuse(r, chunks.error);
            bodyLength = chunks.out - bodyStart;
            requestEnd = chunks.out;
        } else {
            long n = Math.max(0, head.contentLength);
            if (limit - bodyStart < n) return NEED_MORE;
            bodyLength = (int) n;
            requestEnd = bodyStart + bodyLength;
        }
        if (arriving) {
            arriving = false;
            server.arriving.decrementAndGet();
        }
        phase = READY;
        return COMPLETE;
    }

    /** A copy of the body (for the parsers that take their own array: not the hot path). */
    byte[] bodyCopy() {
        return Arrays.copyOfRange(in, bodyStart, bodyStart + bodyLength);
    }

    /** Grows {@link #in} to {@code capacity}, if the server's memory gate allows; the bytes are held until the request is answered. */
    private boolean grow(long capacity) {
        if (capacity > Integer.MAX_VALUE - 8) return false;
        // the raw bytes, and about as much again twice over for the floats parsed from them and their copies
        long more = 3 * (capacity - in.length);
        if (!server.memory.reserve(more)) return false;
        reserved += more;
        in = Arrays.copyOf(in, (int) capacity);
        inBuffer = ByteBuffer.wrap(in);
        return true;
    }

    private int refuse(int status, String message) {
        closeAfter = true; // the rest of what the client sent cannot be framed: the connection ends with this answer
        sendError(status, message);
        return ANSWERED;
    }

    // ---------------------------------------------------------------- answering

    /** Answers {@code {"error": message}}; the caller owns the connection. */
    void sendError(int status, String message) {
        body.clear();
        JsonOut.error(body, message);
        send(status, Answer.JSON);
    }

    /** Answers with what {@link #body} holds; the caller owns the connection. */
    void send(int status, String contentType) {
        Answer.head(out, status, contentType, body.length(), allow, retryAfter, closeAfter, !head.http11 && !closeAfter);
        server.metrics().record(endpoint, status, System.nanoTime() - (headTime != 0 ? headTime : requestStart));
        writing[0] = wrap(writing[0], out);
        writing[1] = wrap(writing[1], body);
        write();
    }

    /** The loop: the socket can take more of a pending answer. */
    void writable() {
        write();
    }

    private void write() {
        boolean broken = false;
        try {
            while (writing[0].hasRemaining() || writing[1].hasRemaining()) {
                if (channel.write(writing) == 0) break;
            }
        } catch (IOException e) {
            broken = true; // the client went away: nobody to answer
            closeAfter = true;
        }
        if (!broken && (writing[0].hasRemaining() || writing[1].hasRemaining())) {
            if (!pendingWrite) writeStart = System.nanoTime();
            pendingWrite = true;
            if (owner() == LOOP) key.interestOps(SelectionKey.OP_WRITE);
            else loop.resume(this);
            return;
        }
        pendingWrite = false;
        answered();
    }

    /** The answer is out: the request's bytes are dropped and the connection goes back to its loop. */
    private void answered() {
        if (requestStart != 0) {
            server.inFlight.decrementAndGet();
            requestStart = 0;
        }
        headTime = 0;
        int left = closeAfter || phase != READY ? 0 : limit - requestEnd;
        if (left > 0) System.arraycopy(in, requestEnd, in, 0, left); // a pipelined request: it starts at 0 too
        limit = left;
        if (in.length > BASE && left <= BASE) {
            in = Arrays.copyOf(in, BASE);
            inBuffer = ByteBuffer.wrap(in);
        }
        if (reserved > 0) {
            server.memory.release(reserved);
            reserved = 0;
        }
        phase = HEAD;
        starved = false;
        allow = null;
        retryAfter = false;
        endpoint = Metrics.Endpoint.OTHER;
        job.release();
        if (body.array().length > KEEP_OUT) body.shrink(4096);
        lastActive = System.nanoTime();
        if (owner() == LOOP) {
            if (closeAfter) loop.linger(this);
            else if (key.interestOps() != SelectionKey.OP_READ) key.interestOps(SelectionKey.OP_READ);
            return; // the loop goes on with the bytes it already read
        }
        if (!closeAfter && limit == 0 && OWNER.compareAndSet(this, AWAY, LOOP)) return;
        loop.resume(this);
    }

    /** When the loop closes the connection: what it held is let go. */
    void closed() {
        closed = true;
        if (requestStart != 0) {
            server.inFlight.decrementAndGet();
            requestStart = 0;
        }
        if (arriving) {
            arriving = false;
            server.arriving.decrementAndGet();
        }
        if (reserved > 0) {
            server.memory.release(reserved);
            reserved = 0;
        }
    }

    private static ByteBuffer wrap(ByteBuffer b, ByteText t) {
        if (b == null || b.array() != t.array()) b = ByteBuffer.wrap(t.array());
        b.limit(t.length()).position(0);
        return b;
    }
}
