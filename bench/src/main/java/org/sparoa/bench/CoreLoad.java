package org.sparoa.bench;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.sparoa.affinity.CpuSet;
import org.sparoa.affinity.ThreadAffinity;
import org.sparoa.api.Tensor;
import org.sparoa.backend.ort.internal.OrtCpuBackend;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

/**
 * A bounded background load on some CPUs, made by another application: a JVM of its own whose {@code threads}
 * threads, each pinned to {@code cpus}, run a model on the given (float) inputs in plain ONNX Runtime (a session of
 * their own, one intra-op thread) back to back, until {@link #close()}, until this JVM goes away (the child reads its
 * standard input to the end), or until {@code maxMillis} have passed, whichever comes first. Where
 * {@link BackendLoad} loads a backend through the platform (its queue), this loads the cores under a backend, which
 * the platform sees as its runs slowing down and, being another process, as the CPUs' utilisation
 * ({@code CpuLoad.otherProcessesOn}). (Until 2026-12-07 the load ran on threads of the benchmark's own JVM, so the
 * utilisation, which leaves this process's own work out, never showed it.)
 */
public final class CoreLoad implements BackgroundLoad {

    private static final String RUNNING = "RUNNING";

    private final Process child;
    private final BufferedReader output;
    private final Path inputsFile;
    private long runs = -1;

    private CoreLoad(Process child, BufferedReader output, Path inputsFile) {
        this.child = child;
        this.output = output;
        this.inputsFile = inputsFile;
    }

    /**
     * Starts the load and returns once every thread of it has made its first run (so that a phase timed next is
     * loaded from its start).
     */
    public static CoreLoad start(Path model, Map<String, Tensor> inputs, CpuSet cpus, int threads, long maxMillis)
            throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("a load needs at least one thread, got " + threads);
        }
        if (maxMillis < 1) {
            throw new IllegalArgumentException("a load needs a positive bound, got " + maxMillis + " ms");
        }
        ThreadAffinity.check("the load's cpus", cpus);
        Path file = Files.createTempFile("sparoa-core-load", ".inputs");
        writeInputs(inputs, file);
        Process child = ChildJvm.start(List.of("-Xmx256m"), CoreLoad.class, List.of(model.toString(),
                cpus.toString(), Integer.toString(threads), Long.toString(maxMillis), file.toString()));
        BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8));
        StringBuilder log = new StringBuilder();
        for (String line; (line = output.readLine()) != null; ) {
            if (line.equals(RUNNING)) {
                return new CoreLoad(child, output, file);
            }
            log.append(line).append('\n');
        }
        child.waitFor(10, TimeUnit.SECONDS);
        child.destroyForcibly();
        Files.deleteIfExists(file);
        throw new IllegalStateException("the load on CPUs " + cpus + " did not start:\n" + log);
    }

    /** The runs the load made, known once it is closed (-1 before). */
    @Override
    public long runs() {
        return runs;
    }

    /** The other application's process id. */
    public long pid() {
        return child.pid();
    }

    /** Ends the load (closes the child's standard input) and reads the runs it made. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            child.getOutputStream().close();
            for (String line; (line = output.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    runs = Long.parseLong(line.substring(7).trim());
                }
            }
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } finally {
            Files.deleteIfExists(inputsFile);
        }
    }

    private static void writeInputs(Map<String, Tensor> inputs, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(
                new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(inputs.size());
            for (Map.Entry<String, Tensor> in : inputs.entrySet()) {
                out.writeUTF(in.getKey());
                long[] shape = in.getValue().shape();
                out.writeInt(shape.length);
                for (long d : shape) {
                    out.writeLong(d);
                }
                float[] values = in.getValue().toFloatArray();
                out.writeInt(values.length);
                for (float v : values) {
                    out.writeFloat(v);
                }
            }
        }
    }

    /** The other application: {@code MODEL CPUS THREADS MAX_MILLIS INPUTS_FILE}. */
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        CpuSet cpus = CpuSet.parse(args[1]);
        int threads = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000L;
        Map<String, float[]> values = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
                Files.newInputStream(Path.of(args[4]))))) {
            for (int n = in.readInt(); n > 0; n--) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = in.readLong();
                }
                float[] v = new float[in.readInt()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = in.readFloat();
                }
                values.put(name, v);
                shapes.put(name, shape);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong runs = new AtomicLong();
        CountDownLatch running = new CountDownLatch(threads);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                Map<String, OnnxTensor> feed = new HashMap<>();
                try {
                    ThreadAffinity.pinCurrentThread(cpus);
                    try (OrtSession.SessionOptions options = OrtCpuBackend.sessionOptions(1);
                         OrtSession session = env.createSession(model.toString(), options)) {
                        for (String name : values.keySet()) {
                            feed.put(name, OnnxTensor.createTensor(env, FloatBuffer.wrap(values.get(name)),
                                    shapes.get(name)));
                        }
                        boolean first = true;
                        while (!stop.get() && System.nanoTime() < deadline) {
                            session.run(feed).close();
                            runs.incrementAndGet();
                            if (first) {
                                running.countDown();
                                first = false;
                            }
                        }
                    }
                } catch (Exception e) {
                    System.out.println("load thread failed: " + e);
                    System.exit(1);
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }, "core-load-" + cpus + "-" + t);
            workers[t].setDaemon(true);
            workers[t].start();
        }
        running.await();
        System.out.println(RUNNING);
        System.out.flush();
        Thread watch = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; the end of the stream is the signal
                }
            } catch (IOException e) {
                // the parent is gone: stop as at the end of the stream
            }
            stop.set(true);
        }, "core-load-stdin");
        watch.setDaemon(true);
        watch.start();
        for (Thread w : workers) {
            w.join();
        }
        System.out.println("RESULT " + runs.get());
    }
}
