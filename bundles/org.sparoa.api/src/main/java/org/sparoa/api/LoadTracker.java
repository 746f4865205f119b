package org.sparoa.api;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * What a backend knows of its own load, for its {@link DeviceState}: the requests in flight, and how much slower its
 * segments ran lately than the fastest each has run. Each compiled segment takes a {@link #segment() probe} and
 * reports every run to it. The slowdown is the backend's recent run time over what the same runs took at their
 * fastest, both summed over the runs with weights that fade with age ({@link #HALF_LIFE_NANOS}): a ratio of time, so
 * a segment weighs as much as it runs. A segment's time grows when another application takes the cores, or when other
 * requests share them, so the ratio tells a scheduler which backend is loaded now; the jitter of a segment of a few
 * microseconds (easily 3x its fastest on a shared machine) does not; when every run's ratio counted alike it did, and
 * flipped the backend's load class, and with it the plans of live-state policies, with nothing else running
 * (docs/sac.md). Runs older than {@link #STALE_NANOS} are forgotten (the slowdown is unknown again, NaN), so a
 * backend that nothing runs on does not look loaded forever.
 *
 * <p>A tracker that knows the other processes' load on its CPUs ({@link #sharingCores(String, DoubleSupplier)}) takes a
 * segment's fastest only from runs made while that load was under {@link #QUIET_BELOW}: a segment compiled while
 * another application had the CPUs (a live-state policy re-planning under a load compiles such segments) would
 * otherwise take its loaded time as its fastest, run at "1x" under the load, and talk the backend's slowdown down
 * (2026-12-07: the loaded backend read 1.08-1.31 where it ran 2.25x slower, docs/sac.md). A segment that has had no
 * quiet run in {@link #LOUD_RUNS_BEFORE_TRUST} runs takes its fastest of all, as a machine that is never quiet gives
 * no better. Thread-safe.
 */
public final class LoadTracker {

    /** A run's weight halves every this long: the slowdown is of the last second or so. */
    static final long HALF_LIFE_NANOS = 500_000_000L;
    /** After this long without a run the slowdown is unknown again. */
    static final long STALE_NANOS = 3_000_000_000L;
    /** Runs of a segment before its fastest is trusted as the baseline (the first runs include warm-up). */
    static final int BASELINE_RUNS = 3;
    /** The other processes' load on the CPUs under which a run may set a segment's fastest. */
    static final double QUIET_BELOW = 0.3;
    /** Runs of a segment without a quiet one after which its fastest of all is taken as its baseline. */
    static final int LOUD_RUNS_BEFORE_TRUST = 200;
    /** Where the other processes' load is not known: every run counts as quiet. */
    private static final DoubleSupplier UNKNOWN_LOAD = () -> -1;

    /**
     * The slowdown of the machine's CPU cores, shared by the trackers of {@link #sharingCores()}: backends that run on
     * the same cores (ONNX Runtime's threads and the Java kernels of {@code sparse-cpu}) are slowed by the same
     * contention, so a run on one says as much about the other. With a tracker each, the backend that ran last looked
     * loaded and the one that had not run for a while looked idle (its slowdown forgotten), and a live-state policy
     * moved work onto the same contended cores.
     */
    private static final Slowdown CORES = new Slowdown(System::nanoTime);

    /** The slowdowns of CPU sets that backends own ({@link #sharingCores(String)}), by the set as written. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Slowdown> CPU_SETS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Slowdown slowdown;
    private final DoubleSupplier othersLoad;

    /** A tracker of its own: for a device whose load no other backend shares (a GPU, an accelerator). */
    public LoadTracker() {
        this(new Slowdown(System::nanoTime));
    }

    /** With {@code slowdown} for the runs (tests; {@link #sharingCores()}). */
    LoadTracker(Slowdown slowdown) {
        this(slowdown, UNKNOWN_LOAD);
    }

    /** With {@code slowdown} for the runs and {@code othersLoad} for their quiet (tests; {@link #sharingCores}). */
    LoadTracker(Slowdown slowdown, DoubleSupplier othersLoad) {
        this.slowdown = slowdown;
        this.othersLoad = othersLoad;
    }

    /**
     * A tracker for a backend that runs on this machine's CPU cores: its requests in flight are its own, its slowdown
     * is the cores' ({@link #CORES}), the same for every CPU backend of the process.
     */
    public static LoadTracker sharingCores() {
        return new LoadTracker(CORES);
    }

    /**
     * A tracker for a backend pinned to a CPU set of its own ({@code cpus}, written as Linux writes CPU lists, e.g.
     * {@code 0-1}): its slowdown is that set's, shared with the backends pinned to the very same set and with none
     * other. A load on another backend's cores does not show here, which is what lets a live-state policy see where
     * to move work; {@code null} means the machine's cores, as {@link #sharingCores()}.
     */
    public static LoadTracker sharingCores(String cpus) {
        return sharingCores(cpus, UNKNOWN_LOAD);
    }

    /**
     * As {@link #sharingCores(String)}, for a backend that can read the other processes' load on its CPUs
     * ({@code othersLoad}: 0..1, negative where unknown; {@code CpuSetLoad} in {@code org.sparoa.affinity}): its
     * segments take their fastest runs only from runs made while that load was low (the class comment).
     */
    public static LoadTracker sharingCores(String cpus, DoubleSupplier othersLoad) {
        return cpus == null ? new LoadTracker(CORES, othersLoad)
                : new LoadTracker(CPU_SETS.computeIfAbsent(cpus, k -> new Slowdown(System::nanoTime)), othersLoad);
    }

    /** A probe for one compiled segment. */
    public Probe segment() {
        return new Probe();
    }

    /** Requests running on the backend now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The recent slowdown (>= 1), or NaN when no segment has run lately. */
    public double recentSlowdown() {
        return slowdown.value();
    }

    /** Recent run time and what those runs took at their fastest, each with weights that fade with age. */
    static final class Slowdown {
        private final java.util.function.LongSupplier clock;
        private double recentNanos;
        private double fastestNanos;
        private long lastSampleNanos;

        /** With {@code clock} for the runs' ages. */
        Slowdown(java.util.function.LongSupplier clock) {
            this.clock = clock;
        }

        synchronized double value() {
            return fastestNanos <= 0 || clock.getAsLong() - lastSampleNanos > STALE_NANOS ? Double.NaN
                    : recentNanos / fastestNanos;
        }

        /** A run of {@code nanos} whose segment ran at best in {@code fastest}. */
        synchronized void sample(long nanos, long fastest) {
            long now = clock.getAsLong();
            long age = now - lastSampleNanos;
            if (fastestNanos <= 0 || age > STALE_NANOS) {
                recentNanos = 0;
                fastestNanos = 0;
            } else if (age > 0) {
                double fade = Math.pow(0.5, (double) age / HALF_LIFE_NANOS);
                recentNanos *= fade;
                fastestNanos *= fade;
            }
            recentNanos += nanos;
            fastestNanos += fastest;
            lastSampleNanos = now;
        }
    }

    /** Times the runs of one segment: {@link #begin()} before a run, {@link #end(long)} after it. */
    public final class Probe {
        private long fastest = Long.MAX_VALUE;
        private long fastestQuiet = Long.MAX_VALUE;
        private int runs;
        private int quietRuns;

        /** Marks a run as in flight; returns its start time for {@link #end}. */
        public long begin() {
            inFlight.incrementAndGet();
            return System.nanoTime();
        }

        /** Ends a run started at {@code startNanos} (also when it failed). */
        public void end(long startNanos) {
            inFlight.decrementAndGet();
            ran(System.nanoTime() - startNanos);
        }

        /** Counts one run that took {@code nanos}. */
        void ran(long nanos) {
            long time = Math.max(1, nanos);
            long best;
            synchronized (this) {
                runs++;
                fastest = Math.min(fastest, time);
                // the others' load is read only where it can change the baseline: while quiet runs are still
                // counted, or for a run faster than the quiet fastest (not per run of a segment in steady use)
                if ((quietRuns <= BASELINE_RUNS || time < fastestQuiet)
                        && !(othersLoad.getAsDouble() >= QUIET_BELOW)) { // unknown (negative, NaN): quiet
                    quietRuns++;
                    fastestQuiet = Math.min(fastestQuiet, time);
                }
                if (quietRuns > BASELINE_RUNS) {
                    best = fastestQuiet;
                } else if (runs > LOUD_RUNS_BEFORE_TRUST) {
                    best = fastest;
                } else {
                    return;
                }
            }
            slowdown.sample(time, best);
        }
    }
}
