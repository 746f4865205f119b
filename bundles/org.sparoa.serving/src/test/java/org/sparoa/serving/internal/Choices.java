package org.sparoa.serving.internal;

import java.util.List;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/** Where a mutation's decisions come from: a seeded random source (bounded runs) or the fuzzer's input (Jazzer). */
interface Choices {
    /** In {@code [0, bound)}. */
    int nextInt(int bound);

    default boolean oneIn(int n) {
        return nextInt(n) == 0;
    }

    default <T> T pick(List<T> from) {
        return from.get(nextInt(from.size()));
    }

    static Choices of(SplittableRandom random) {
        return random::nextInt;
    }

    static Choices of(FuzzedDataProvider data) {
        return bound -> data.consumeInt(0, bound - 1);
    }
}
