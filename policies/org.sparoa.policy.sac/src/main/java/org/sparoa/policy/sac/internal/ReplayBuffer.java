package org.sparoa.policy.sac.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.sparoa.api.learn.Transition;

/** The last {@code capacity} transitions; uniform random batches drawn with the caller's seeded random. */
final class ReplayBuffer {
    private final Transition[] ring;
    private int size;
    private int next;

    ReplayBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("replay capacity must be positive, got " + capacity);
        }
        this.ring = new Transition[capacity];
    }

    void add(Transition t) {
        ring[next] = t;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    int size() {
        return size;
    }

    List<Transition> sample(int batch, Random random) {
        if (size == 0) {
            throw new IllegalStateException("the replay buffer is empty");
        }
        List<Transition> out = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            out.add(ring[random.nextInt(size)]);
        }
        return out;
    }
}
