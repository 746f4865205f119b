package org.sparoa.onnx.fuzz;

import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;

/** Where a mutation's decisions come from: a seeded random source (bounded runs) or the fuzzer's input (Jazzer). */
public interface Choices {
    /** In {@code [0, bound)}. */
    int nextInt(int bound);

    long nextLong();

    public static Choices of(SplittableRandom random) {
        return new Choices() {
            @Override
            public int nextInt(int bound) {
                return random.nextInt(bound);
            }

            @Override
            public long nextLong() {
                return random.nextLong();
            }
        };
    }

    static Choices of(FuzzedDataProvider data) {
        return new Choices() {
            @Override
            public int nextInt(int bound) {
                return data.consumeInt(0, bound - 1);
            }

            @Override
            public long nextLong() {
                return data.consumeLong();
            }
        };
    }
}
