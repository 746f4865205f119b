package org.sparoa.backend.cuda.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Assigns the activations of a program to as few device buffers as their lifetimes allow. A value is live from
 * the first step that writes it to the last step that reads it (segment inputs from before the first step,
 * segment outputs to after the last); a buffer whose value died is reused, best fit first, by the next value
 * written. A step never writes into a buffer it reads: values die after the step that last reads them.
 */
final class BufferPlanner {
    static final int BEFORE_FIRST_STEP = -1;
    static final int AFTER_LAST_STEP = Integer.MAX_VALUE;

    private final List<long[]> values = new ArrayList<>(); // {bytes, firstWrite, lastRead}
    private final java.util.Set<Integer> dedicated = new java.util.HashSet<>();

    /** A new value of this many bytes; returns its id. */
    int value(long bytes) {
        values.add(new long[] {bytes, Long.MAX_VALUE, Long.MIN_VALUE});
        return values.size() - 1;
    }

    void written(int value, int step) {
        long[] v = values.get(value);
        v[1] = Math.min(v[1], step);
        v[2] = Math.max(v[2], step);
    }

    void read(int value, int step) {
        long[] v = values.get(value);
        v[2] = Math.max(v[2], step);
    }

    /** A value that gets a buffer of its own, shared with no other value (zero-copy inputs and outputs). */
    void dedicate(int value) {
        dedicated.add(value);
    }

    /** Slot sizes, the slot of each value, and which slots belong to one dedicated value. */
    record Plan(long[] slotBytes, int[] slotOfValue, boolean[] dedicatedSlots) {
    }

    Plan plan() {
        int n = values.size();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Long.compare(values.get(x)[1], values.get(y)[1]));
        List<Long> slotBytes = new ArrayList<>();
        List<Long> slotFreeAfter = new ArrayList<>(); // the step after which the slot's current value is dead
        int[] slotOf = new int[n];
        java.util.Arrays.fill(slotOf, -1);
        for (int id : order) {
            long[] v = values.get(id);
            if (v[1] == Long.MAX_VALUE) {
                if (v[2] == Long.MIN_VALUE) {
                    continue; // never written nor read: no buffer
                }
                v[1] = BEFORE_FIRST_STEP; // read but never written (an empty tensor): a buffer all the same
            }
            long bytes = v[0];
            if (dedicated.contains(id)) {
                slotBytes.add(bytes);
                slotFreeAfter.add(Long.MAX_VALUE); // never free: no other value shares it
                slotOf[id] = slotBytes.size() - 1;
                continue;
            }
            int best = -1;
            int grow = -1;
            for (int s = 0; s < slotBytes.size(); s++) {
                if (slotFreeAfter.get(s) >= v[1]) {
                    continue; // still live when this value is written
                }
                if (slotBytes.get(s) >= bytes) {
                    if (best < 0 || slotBytes.get(s) < slotBytes.get(best)) {
                        best = s;
                    }
                } else if (grow < 0 || slotBytes.get(s) > slotBytes.get(grow)) {
                    grow = s;
                }
            }
            if (best < 0 && grow >= 0) {
                best = grow;
                slotBytes.set(grow, bytes);
            }
            if (best < 0) {
                slotBytes.add(bytes);
                slotFreeAfter.add(Long.MIN_VALUE);
                best = slotBytes.size() - 1;
            }
            slotOf[id] = best;
            slotFreeAfter.set(best, v[2]);
        }
        boolean[] dedicatedSlots = new boolean[slotBytes.size()];
        for (int id : dedicated) {
            if (slotOf[id] >= 0) {
                dedicatedSlots[slotOf[id]] = true;
            }
        }
        return new Plan(slotBytes.stream().mapToLong(Long::longValue).toArray(), slotOf, dedicatedSlots);
    }
}
