package org.sparoa.backend.sparse.internal;

/**
 * Splits index ranges over the backend's {@link WorkerTeam}; runs inline when one thread is enough, off the team's
 * owner thread, or inside another loop.
 */
final class Parallel {
    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Chunks per thread in a warm-up run: the JIT compiles a loop body to its best code after hundreds of calls,
     * and a run calls each body only once per thread; cut finer, a few warm-up runs call each many times (the
     * chunks compute the same elements, so results do not change).
     */
    static final int WARMUP_CHUNKS_PER_THREAD = 16;

    private final WorkerTeam team;
    private final int chunksPerThread;

    Parallel(WorkerTeam team) {
        this(team, 1);
    }

    private Parallel(WorkerTeam team, int chunksPerThread) {
        this.team = team;
        this.chunksPerThread = chunksPerThread;
    }

    /** The same team, loops cut into {@link #WARMUP_CHUNKS_PER_THREAD} times more chunks: for warm-up runs. */
    Parallel warming() {
        return new Parallel(team, WARMUP_CHUNKS_PER_THREAD);
    }

    static Parallel sequential() {
        return new Parallel(null);
    }

    int threads() {
        return team == null ? 1 : team.threads();
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code threads} contiguous chunks of at least
     * {@code minChunk} indices each.
     */
    void forRange(int n, int minChunk, RangeBody body) {
        int chunks = Math.min(threads() * chunksPerThread, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1 || team == null || !team.canRun()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        team.run(n, chunks, body);
    }
}
