package org.sparoa.engine.internal;

import java.nio.file.Path;

/**
 * A process that saves the cost profile file over and over, each generation {@code g} holding {@code g + 1} entries
 * all of time {@code g}, and prints each generation once it is saved; {@link CrashSafeStateTest} kills it with
 * {@code kill -9} while it writes.
 */
public final class CostProfileWriterMain {
    private CostProfileWriterMain() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int start = Integer.parseInt(args[1]);
        for (int g = start; ; g++) {
            CostProfileStore store = new CostProfileStore(null);
            for (int i = 0; i <= g; i++) {
                store.put("sparse-cpu", "Conv|sig" + i + "|" + "x".repeat(200), g);
            }
            CostProfileStore persisted = new CostProfileStore(file, store);
            persisted.save();
            System.out.println(g);
            System.out.flush();
        }
    }
}
