package org.sparoa.ml;

import java.util.Arrays;
import java.util.Random;

/**
 * A small placement problem with a known optimum: operators in a chain, each placed on one of a few devices, each
 * with its own cost per device, some devices not allowed for some operators, and a cost for every change of device
 * between consecutive operators. An episode places the operators in order; the reward of a step is minus its cost
 * (operator cost plus switch cost) divided by {@link #REWARD_SCALE}.
 *
 * <p>State: the position one-hot, the previous device one-hot (all zero at the first operator) and the current
 * operator's cost on each device divided by {@link #REWARD_SCALE}.
 */
final class PlacementChain {
    static final double REWARD_SCALE = 10;

    final int operators;
    final int devices;
    final double switchCost;
    final double[][] costs;
    final boolean[][] allowed;

    PlacementChain(int operators, int devices, double switchCost, long seed) {
        this.operators = operators;
        this.devices = devices;
        this.switchCost = switchCost;
        Random r = new Random(seed);
        costs = new double[operators][devices];
        allowed = new boolean[operators][devices];
        for (int i = 0; i < operators; i++) {
            for (int d = 0; d < devices; d++) {
                costs[i][d] = 1 + r.nextInt(9);
                allowed[i][d] = true;
            }
            if (devices > 2 && i % 3 == 2) {
                allowed[i][devices - 1] = false; // an operator the last device cannot run
            }
        }
    }

    int stateSize() {
        return operators + 2 * devices;
    }

    float[] state(int position, int previousDevice) {
        float[] s = new float[stateSize()];
        if (position >= operators) {
            return s;
        }
        s[position] = 1;
        if (previousDevice >= 0) {
            s[operators + previousDevice] = 1;
        }
        for (int d = 0; d < devices; d++) {
            s[operators + devices + d] = (float) (costs[position][d] / REWARD_SCALE);
        }
        return s;
    }

    boolean[] mask(int position) {
        if (position >= operators) {
            boolean[] none = new boolean[devices];
            Arrays.fill(none, true);
            return none;
        }
        return allowed[position].clone();
    }

    double stepCost(int position, int previousDevice, int device) {
        return costs[position][device] + (previousDevice >= 0 && previousDevice != device ? switchCost : 0);
    }

    /** The total cost of a placement, or infinity if it uses a device an operator may not run on. */
    double cost(int[] placement) {
        double total = 0;
        for (int i = 0; i < operators; i++) {
            if (!allowed[i][placement[i]]) {
                return Double.POSITIVE_INFINITY;
            }
            total += stepCost(i, i == 0 ? -1 : placement[i - 1], placement[i]);
        }
        return total;
    }

    /** The cheapest placement's cost, by trying every placement. */
    double exhaustiveOptimum() {
        int[] p = new int[operators];
        double best = Double.POSITIVE_INFINITY;
        long count = (long) Math.pow(devices, operators);
        for (long code = 0; code < count; code++) {
            long c = code;
            for (int i = 0; i < operators; i++) {
                p[i] = (int) (c % devices);
                c /= devices;
            }
            best = Math.min(best, cost(p));
        }
        return best;
    }

    /** The second-cheapest distinct cost, to know how close a wrong choice can come. */
    double exhaustiveSecondBest() {
        int[] p = new int[operators];
        double best = exhaustiveOptimum();
        double second = Double.POSITIVE_INFINITY;
        long count = (long) Math.pow(devices, operators);
        for (long code = 0; code < count; code++) {
            long c = code;
            for (int i = 0; i < operators; i++) {
                p[i] = (int) (c % devices);
                c /= devices;
            }
            double v = cost(p);
            if (v > best) {
                second = Math.min(second, v);
            }
        }
        return second;
    }

    /** The mean cost of choosing uniformly among the allowed devices at every step, over {@code episodes}. */
    double randomPolicyMeanCost(int episodes, Random r) {
        double sum = 0;
        for (int e = 0; e < episodes; e++) {
            int prev = -1;
            for (int i = 0; i < operators; i++) {
                int d;
                do {
                    d = r.nextInt(devices);
                } while (!allowed[i][d]);
                sum += stepCost(i, prev, d);
                prev = d;
            }
        }
        return sum / episodes;
    }
}
