package org.sparoa.backend.cuda.internal;

/** Grid and block of one kernel launch, and its dynamic shared memory. */
record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ, int sharedBytes) {
    /** Threads per block of the element-wise (grid-stride) kernels. */
    static final int THREADS = 256;
    /** Enough blocks to fill any current GPU several times over; the kernels' grid-stride loops do the rest. */
    static final int MAX_LINEAR_BLOCKS = 65_535;
    /** Tile edge of the {@code gemm} kernel (TILE in the .cu). */
    static final int TILE = 16;

    LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1 || blockZ < 1) {
            throw new IllegalArgumentException("empty launch " + gridX + "x" + gridY + "x" + gridZ + " blocks of "
                    + blockX + "x" + blockY + "x" + blockZ);
        }
        if ((long) blockX * blockY * blockZ > 1024) {
            throw new IllegalArgumentException("a block has at most 1024 threads, asked " + blockX * blockY * blockZ);
        }
        if (gridY > 65_535 || gridZ > 65_535) {
            throw new IllegalArgumentException("grid y and z are at most 65535, asked " + gridY + ", " + gridZ);
        }
    }

    /** One thread per element for a grid-stride kernel over {@code total} elements. */
    static LaunchConfig linear(long total) {
        long blocks = Math.max(1, (total + THREADS - 1) / THREADS);
        return new LaunchConfig((int) Math.min(blocks, MAX_LINEAR_BLOCKS), 1, 1, THREADS, 1, 1, 0);
    }

    /** One block of 256 per row, for the row reductions ({@code global_avg_pool}). */
    static LaunchConfig perRow(long rows) {
        return new LaunchConfig((int) Math.max(1, Math.min(rows, MAX_LINEAR_BLOCKS)), 1, 1, THREADS, 1, 1, 0);
    }

    /** The tiled {@code gemm}: a TILE x TILE block per output tile, one grid layer per batch. */
    static LaunchConfig tiled(int m, int n, int batches) {
        return new LaunchConfig(Math.max(1, (n + TILE - 1) / TILE), Math.max(1, (m + TILE - 1) / TILE), batches,
                TILE, TILE, 1, 0);
    }

    long threads() {
        return (long) gridX * gridY * gridZ * blockX * blockY * blockZ;
    }
}
