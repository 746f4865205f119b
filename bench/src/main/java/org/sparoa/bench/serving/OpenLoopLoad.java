package org.sparoa.bench.serving;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.Tensor;

/**
 * Open-loop load over HTTP/1.1: requests leave at Poisson arrival times whatever the server's answers (so a slow
 * server builds a queue, as real traffic does), binary tensors. One thread drives every connection through one
 * selector and sends a request encoded once, so the generator costs the two cores it shares with the server a few
 * microseconds per request (the JDK's asynchronous {@code HttpClient}, used before, cost about as much CPU per
 * request as the server's own HTTP work). A request goes out on an idle kept-alive connection, or on a new one while
 * fewer than {@code maxConnections} are open, or waits for the next idle one; its latency runs from its scheduled
 * arrival to the last byte of its answer, so a late send counts against the latency, never in its favour. Sends are
 * made when the selector wakes, at millisecond granularity: a request may leave up to about 1 ms after its time.
 */
final class OpenLoopLoad {
    /** One request's fate: status -1 when the connection failed or closed before the answer was complete. */
    record Outcome(long scheduledNanos, long latencyNanos, int status) {
    }

    private static final int MAX_CONNECTIONS = 512;
    private static final long DRAIN_NANOS = 120_000_000_000L;

    private OpenLoopLoad() {
    }

    static List<Outcome> run(InetSocketAddress server, String model, Map<String, Tensor> input, double perSecond,
                             double seconds, long seed) throws IOException {
        ByteBuffer request = BlockingKserveClient.wire(BlockingKserveClient.encode(
                server.getHostString() + ":" + server.getPort(), model, input));
        Random rnd = new Random(seed);
        List<Outcome> outcomes = new ArrayList<>();
        ArrayDeque<Connection> idle = new ArrayDeque<>();
        ArrayDeque<Long> backlog = new ArrayDeque<>();
        List<Connection> open = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long next = start;
            int sent = 0;
            while (true) {
                long now = System.nanoTime();
                while (next < end && next <= now) {
                    backlog.addLast(next);
                    sent++;
                    next += (long) (-Math.log(1 - rnd.nextDouble()) / perSecond * 1e9);
                }
                while (!backlog.isEmpty()) {
                    Connection c = idle.pollFirst();
                    if (c == null && open.size() < MAX_CONNECTIONS) {
                        c = Connection.open(server, selector);
                        open.add(c);
                    }
                    if (c == null) {
                        break;
                    }
                    c.send(request.duplicate(), backlog.pollFirst());
                }
                if (next >= end && outcomes.size() == sent) {
                    break;
                }
                if (now - end > DRAIN_NANOS) {
                    for (Connection c : open) {
                        if (c.busy()) {
                            outcomes.add(new Outcome(c.scheduled - start, now - c.scheduled, -1));
                        }
                    }
                    for (Long s : backlog) {
                        outcomes.add(new Outcome(s - start, now - s, -1));
                    }
                    break;
                }
                long waitMillis = next < end ? Math.max(1, (next - System.nanoTime() + 999_999) / 1_000_000) : 100;
                selector.select(waitMillis);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    Connection c = (Connection) k.attachment();
                    int status = c.ready(k);
                    if (status == Connection.PENDING) {
                        continue;
                    }
                    long done = System.nanoTime();
                    outcomes.add(new Outcome(c.scheduled - start, done - c.scheduled, status));
                    if (status > 0 && c.keepAlive) {
                        idle.addLast(c);
                    } else {
                        open.remove(c);
                        c.close();
                    }
                }
            }
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
        return outcomes;
    }

    /** One kept-alive connection, one request at a time: its request being written, then its answer being read. */
    private static final class Connection {
        static final int PENDING = 0;
        private final SocketChannel channel;
        private final SelectionKey key;
        private ByteBuffer out;
        private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
        private long scheduled;
        private boolean busy;
        private int status;
        private long bodyLeft = -1;
        boolean keepAlive;

        private Connection(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }

        static Connection open(InetSocketAddress server, Selector selector) throws IOException {
            SocketChannel ch = SocketChannel.open(server); // loopback: a blocking connect returns at once
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            SelectionKey key = ch.register(selector, 0);
            Connection c = new Connection(ch, key);
            key.attach(c);
            return c;
        }

        boolean busy() {
            return busy;
        }

        void send(ByteBuffer request, long scheduledNanos) throws IOException {
            scheduled = scheduledNanos;
            busy = true;
            status = 0;
            bodyLeft = -1;
            keepAlive = true;
            in.clear();
            out = request;
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        /** Writes or reads what it can; the answer's status once it is complete, -1 on failure, else PENDING. */
        int ready(SelectionKey k) {
            try {
                if (k.isWritable()) {
                    channel.write(out);
                    if (!out.hasRemaining()) {
                        k.interestOps(SelectionKey.OP_READ);
                    }
                    return PENDING;
                }
                if (!k.isReadable()) {
                    return PENDING;
                }
                int n;
                while ((n = channel.read(in)) > 0) {
                    int s = consume();
                    if (s != PENDING) {
                        return s;
                    }
                }
                if (n < 0) {
                    busy = false;
                    keepAlive = false;
                    return -1;
                }
                return PENDING;
            } catch (IOException | RuntimeException e) {
                busy = false;
                keepAlive = false;
                return -1;
            }
        }

        /** Parses what has arrived: the head once complete, then counts down the body. */
        private int consume() {
            in.flip();
            if (bodyLeft < 0) {
                int headEnd = headEnd();
                if (headEnd < 0) {
                    in.compact();
                    if (!in.hasRemaining()) {
                        throw new IllegalStateException("answer head larger than " + in.capacity() + " bytes");
                    }
                    return PENDING;
                }
                byte[] headBytes = new byte[headEnd];
                in.get(headBytes);
                parseHead(new String(headBytes, StandardCharsets.US_ASCII));
            }
            long take = Math.min(bodyLeft, in.remaining());
            in.position(in.position() + (int) take);
            bodyLeft -= take;
            in.compact();
            if (bodyLeft > 0) {
                return PENDING;
            }
            busy = false;
            return status;
        }

        private int headEnd() {
            for (int i = in.position(); i + 3 < in.limit(); i++) {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                    return i + 4 - in.position();
                }
            }
            return -1;
        }

        private void parseHead(String head) {
            String[] lines = head.split("\r\n");
            if (!lines[0].startsWith("HTTP/1.1 ") || lines[0].length() < 12) {
                throw new IllegalStateException("not an HTTP/1.1 status line: " + lines[0]);
            }
            status = Integer.parseInt(lines[0].substring(9, 12));
            bodyLeft = 0;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim();
                String value = lines[i].substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Content-Length")) {
                    bodyLeft = Long.parseLong(value);
                } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                    keepAlive = false;
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    throw new IllegalStateException("chunked answers are not read by this generator");
                }
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a loopback socket at the end of a run: nothing left to lose
            }
        }
    }
}
