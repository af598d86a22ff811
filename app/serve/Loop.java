package app.serve;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.function.Consumer;

/**
 * One selector thread: it reads its connections, frames their requests, answers what is cheap at
 * once and hands the rest on ({@link Routes}); once per turn it wakes the batchers that got work.
 * Loop 0 also accepts, deals new connections out to the loops, and past {@code --max-connections}
 * answers a connection 503 and closes it. Every few hundred milliseconds a loop cuts the
 * connections that have held a request, an answer nobody reads, or nothing at all for longer than
 * {@code --request-timeout-s}.
 */
final class Loop implements Runnable {
    private static final long SCAN_NANOS = 200_000_000L;
    private static final long LINGER_NANOS = 1_000_000_000L;
    private static final String FULL_BODY = "{\"error\":\"the server has as many connections as it takes (--max-connections); retry later\"}";
    private static final byte[] FULL = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            + "Connection: close\r\nContent-Length: " + FULL_BODY.length() + "\r\n\r\n" + FULL_BODY).getBytes(StandardCharsets.US_ASCII);

    private final Server server;
    private final int index;
    final Selector selector;
    final Thread thread;
    private ServerSocketChannel acceptor;
    private final ArrayList<Conn> conns = new ArrayList<>();
    private final ArrayList<Refused> refused = new ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(8192);
    private final ArrayDeque<Conn> resumed = new ArrayDeque<>(); // guarded by this
    private final ArrayDeque<SocketChannel> adopted = new ArrayDeque<>(); // guarded by this
    private final ArrayDeque<Conn> work = new ArrayDeque<>(); // drained on this thread only
    private final Consumer<SelectionKey> onKey = this::key;
    private volatile boolean stopped;
    private long lastScan;
    private int next; // loop 0: the loop that gets the next connection
    private boolean acceptPaused;

    Loop(Server server, int index) throws IOException {
        this.server = server;
        this.index = index;
        selector = Selector.open();
        thread = new Thread(this, "nabla-http-" + index);
        thread.setDaemon(true);
    }

    /** Loop 0 accepts on {@code channel}. */
    void accept(ServerSocketChannel channel) throws IOException {
        acceptor = channel;
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_ACCEPT);
    }

    @Override
    public void run() {
        lastScan = System.nanoTime();
        while (!stopped) {
            try {
                selector.select(onKey, 100);
                drain();
                server.flushBatchers();
                long now = System.nanoTime();
                if (now - lastScan >= SCAN_NANOS) {
                    lastScan = now;
                    scan(now);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("nabla serve: " + thread.getName() + ": " + e); // a bug: the loop goes on
            }
        }
        for (int i = conns.size() - 1; i >= 0; i--) close(conns.get(i));
        for (Refused r : refused) quietClose(r.channel);
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    /** Stops the loop: it closes its connections and ends. */
    void stop() {
        stopped = true;
        selector.wakeup();
    }

    /** Stops accepting (loop 0). */
    void closeAcceptor() throws IOException {
        if (acceptor != null) acceptor.close();
        selector.wakeup();
    }

    /** From another thread: {@code c} comes back to this loop (its answer wants the loop, or it has more to read). */
    void resume(Conn c) {
        synchronized (this) {
            resumed.add(c);
        }
        selector.wakeup();
    }

    private void adopt(SocketChannel ch) {
        synchronized (this) {
            adopted.add(ch);
        }
        selector.wakeup();
    }

    private void key(SelectionKey k) {
        if (!k.isValid()) return;
        if (k.isAcceptable()) {
            acceptAll();
            return;
        }
        if (k.attachment() instanceof Refused r) {
            drop(k, r);
            return;
        }
        Conn c = (Conn) k.attachment();
        try {
            if (c.lingering) {
                if (discard(c.channel)) close(c);
                return;
            }
            if (k.isWritable()) {
                c.writable();
                if (!c.closed && !c.pendingWrite) process(c);
                return;
            }
            if (!k.isReadable()) return;
            int o = c.owner();
            if (o != Conn.LOOP) {
                if (c.park()) k.interestOps(0); // away: watched again when it comes back
                if (c.owner() != Conn.LOOP) return;
            }
            if (!c.read(System.nanoTime())) {
                close(c);
                return;
            }
            process(c);
        } catch (IOException | RuntimeException e) {
            close(c);
        }
    }

    /** Frames and routes the requests that have arrived in full, while the connection is this loop's. */
    private void process(Conn c) {
        while (!c.closed && !c.lingering && !c.pendingWrite && c.owner() == Conn.LOOP) {
            int r = c.frame(System.nanoTime());
            if (r == Conn.NEED_MORE) return;
            if (r == Conn.COMPLETE) server.routes().route(c);
        }
    }

    private void drain() {
        synchronized (this) {
            while (!adopted.isEmpty()) register(adopted.poll());
            for (Conn c; (c = resumed.poll()) != null; ) work.add(c); // (addAll would allocate a lambda per turn)
        }
        for (Conn c; (c = work.poll()) != null; ) {
            c.resumed();
            if (c.closed) continue;
            try {
                if (c.pendingWrite) {
                    c.key.interestOps(SelectionKey.OP_WRITE);
                } else if (c.closeAfter) {
                    linger(c);
                } else {
                    c.key.interestOps(SelectionKey.OP_READ);
                    process(c);
                }
            } catch (RuntimeException e) {
                close(c);
            }
        }
    }

    private void acceptAll() {
        while (true) {
            SocketChannel ch;
            try {
                ch = acceptor.accept();
            } catch (IOException e) {
                // out of file descriptors (or closed): stop asking until the next scan, rather than spin on a ready socket that fails
                SelectionKey k = acceptor.keyFor(selector);
                if (k != null && k.isValid()) k.interestOps(0);
                acceptPaused = true;
                return;
            }
            if (ch == null) return;
            if (server.connections.incrementAndGet() > server.config().maxConnections()) {
                server.connections.decrementAndGet();
                refuse(ch);
                continue;
            }
            Loop[] loops = server.loops();
            Loop to = loops[next];
            next = (next + 1) % loops.length;
            if (to == this) register(ch);
            else to.adopt(ch);
        }
    }

    /**
     * Past --max-connections: a 503 with Retry-After, unread request or not, then a half-close; what
     * the client still sends is dropped until it closes (closing on unread bytes would reset the
     * connection, and the client could lose the 503). At most as many such as --max-connections.
     */
    private void refuse(SocketChannel ch) {
        try {
            ch.configureBlocking(false);
            ch.write(ByteBuffer.wrap(FULL));
            ch.shutdownOutput();
            if (refused.size() < server.config().maxConnections()) {
                Refused r = new Refused(ch, System.nanoTime() + LINGER_NANOS);
                r.key = ch.register(selector, SelectionKey.OP_READ, r);
                refused.add(r);
                return;
            }
        } catch (IOException ignored) {
            // the client is gone
        }
        quietClose(ch);
    }

    /** A connection refused past the limit, waiting for its client to close. */
    private static final class Refused {
        final SocketChannel channel;
        final long until;
        SelectionKey key;

        Refused(SocketChannel channel, long until) {
            this.channel = channel;
            this.until = until;
        }
    }

    private void drop(SelectionKey k, Refused r) {
        if (discard(r.channel)) {
            k.cancel();
            quietClose(r.channel);
            refused.remove(r);
        }
    }

    /** Reads and drops what the socket holds; true at its end (or on an error). */
    private boolean discard(SocketChannel ch) {
        try {
            while (true) {
                scratch.clear();
                int n = ch.read(scratch);
                if (n < 0) return true;
                if (n == 0) return false;
            }
        } catch (IOException e) {
            return true;
        }
    }

    /** After an answer that ends the connection: half-close, then drop what still comes until the client closes or a second passes. */
    void linger(Conn c) {
        if (c.closed || c.lingering) return;
        try {
            c.channel.shutdownOutput();
        } catch (IOException e) {
            close(c);
            return;
        }
        c.lingering = true;
        c.lingerUntil = System.nanoTime() + LINGER_NANOS;
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private static void quietClose(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    private void register(SocketChannel ch) {
        long now = System.nanoTime();
        try {
            ch.configureBlocking(false);
            // headers and body go out in one write, but small answers still should not wait for the client's delayed ACK
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Conn c = new Conn(this, server, ch, now);
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
            c.slot = conns.size();
            conns.add(c);
        } catch (IOException e) {
            server.connections.decrementAndGet();
            quietClose(ch);
        }
    }

    /** Closes {@code c} (on this thread). */
    void close(Conn c) {
        if (c.closed) return;
        c.closed();
        c.key.cancel();
        quietClose(c.channel);
        Conn last = conns.remove(conns.size() - 1);
        if (last != c) {
            conns.set(c.slot, last);
            last.slot = c.slot;
        }
        server.connections.decrementAndGet();
    }

    /** Cuts what has waited too long: a request not in within the timeout (408), an answer not taken, an idle connection. */
    private void scan(long now) {
        if (acceptPaused && acceptor.isOpen()) {
            acceptPaused = false;
            acceptor.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
        }
        long timeout = server.config().requestTimeoutSeconds() * 1_000_000_000L;
        for (int i = refused.size() - 1; i >= 0; i--) {
            Refused r = refused.get(i);
            if (now - r.until > 0) {
                r.key.cancel();
                quietClose(r.channel);
                refused.remove(i);
            }
        }
        for (int i = conns.size() - 1; i >= 0; i--) {
            Conn c = conns.get(i);
            if (c.owner() != Conn.LOOP) continue; // its answer is being computed
            if (c.lingering) {
                if (now - c.lingerUntil > 0) close(c);
            } else if (c.pendingWrite) {
                if (now - c.writeStart > timeout) close(c);
            } else if (c.requestStart != 0) {
                if (now - c.requestStart > timeout) {
                    c.closeAfter = true;
                    c.sendError(408, "the request was not received in full within " + server.config().requestTimeoutSeconds()
                            + " s (--request-timeout-s)");
                    if (!c.closed && !c.lingering && !c.pendingWrite) close(c);
                }
            } else if (now - c.lastActive > timeout) {
                close(c);
            }
        }
    }

    int index() { return index; }
}
