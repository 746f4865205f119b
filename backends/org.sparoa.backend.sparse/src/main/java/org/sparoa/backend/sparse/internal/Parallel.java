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

    private final WorkerTeam team;

    Parallel(WorkerTeam team) {
        this.team = team;
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
        int chunks = Math.min(threads(), Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1 || !team.canRun()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        team.run(n, chunks, body);
    }
}
