package org.sparoa.itests;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.sparoa.api.Tensor;

/**
 * N clients, each on its own thread with its own connection, sending requests back to back (a fixed number each, or
 * until stopped), every answer checked against ONNX Runtime's output for its own input. Counts what was sent, answered
 * correctly, answered wrong and failed; what was sent and never answered is lost. The same load for every endpoint
 * (HTTP, gRPC, the in-process service): only the {@link Caller} differs.
 */
final class CheckedLoad {
    /** How one client sends a request: the first output's values for the input. */
    interface Caller extends AutoCloseable {
        float[] call(Map<String, Tensor> input) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    private final String name;
    private final OrtReferences references;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong correct = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    private CheckedLoad(String name, OrtReferences references) {
        this.name = name;
        this.references = references;
    }

    /**
     * Starts {@code clients} threads; client {@code c} sends through {@code callers.apply(c)} (closed when it ends),
     * inputs drawn at random with seed {@code c}.
     *
     * @param perClient requests each client sends; {@link Long#MAX_VALUE}: until {@link #stopAndJoin()}
     */
    static CheckedLoad start(String name, int clients, long perClient, OrtReferences references,
                             IntFunction<Caller> callers) {
        CheckedLoad load = new CheckedLoad(name, references);
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> load.run(client, perClient, callers), name + "-client-" + c);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    private void run(int client, long perClient, IntFunction<Caller> callers) {
        Random random = new Random(client);
        try (Caller caller = callers.apply(client)) {
            for (long i = 0; i < perClient && !stop.get(); i++) {
                int k = random.nextInt(references.size());
                sent.incrementAndGet();
                try {
                    String diff = references.difference(k, caller.call(references.input(k)));
                    if (diff == null) {
                        correct.incrementAndGet();
                    } else {
                        wrong.incrementAndGet();
                        problems.add("client " + client + ", request " + i + ": wrong answer for input " + k + ": "
                                + diff);
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                    problems.add("client " + client + ", request " + i + " failed: " + e);
                }
            }
        } catch (Exception e) {
            problems.add("client " + client + " could not close its connection: " + e);
        }
    }

    long sent() {
        return sent.get();
    }

    long correct() {
        return correct.get();
    }

    /** Answered, correctly or not. */
    long answered() {
        return correct.get() + wrong.get();
    }

    /** Sent and neither answered nor failed (meaningful once the clients have ended). */
    long lost() {
        return sent.get() - correct.get() - wrong.get() - failed.get();
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    /** Waits until {@code more} further requests were answered correctly, or a problem shows up. */
    void awaitCorrect(long more, String what) throws Exception {
        long target = correct.get() + more;
        Distribution.waitFor(what, () -> correct.get() >= target || hasProblems());
    }

    /** Stops the clients (each ends after its request in flight) and waits for them. */
    void stopAndJoin() throws InterruptedException {
        stop.set(true);
        join();
    }

    /** Waits for the clients to end. */
    void join() throws InterruptedException {
        for (Thread t : threads) {
            t.join(Distribution.TIMEOUT_MS);
        }
    }

    /** After the clients ended: 0 failed, 0 lost, 0 wrong, and a line saying so. */
    void assertNoneFailedLostOrWrong() {
        List<String> first = problems.stream().limit(5).toList();
        assertEquals(name + ": failed " + failed.get() + ", wrong " + wrong.get() + ": " + first, 0, problems.size());
        assertEquals(name + ": clients still running", 0, threads.stream().filter(Thread::isAlive).count());
        assertEquals(name + ": every request sent was answered (none lost)", 0, lost());
        System.out.println(name + ": " + sent.get() + " requests from " + threads.size()
                + (threads.size() == 1 ? " client, " : " clients, ")
                + correct.get() + " answered correctly, 0 failed, 0 lost, 0 wrong");
    }
}
