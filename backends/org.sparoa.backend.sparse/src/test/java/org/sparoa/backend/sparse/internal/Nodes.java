package org.sparoa.backend.sparse.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.sparoa.api.Attribute;
import org.sparoa.api.Node;

/** Builds IR nodes and seeded random data for kernel tests. */
final class Nodes {
    private Nodes() {
    }

    static Node node(String op, int inputs, Object... attrs) {
        Map<String, Attribute> a = new HashMap<>();
        for (int i = 0; i < attrs.length; i += 2) {
            String name = (String) attrs[i];
            Object v = attrs[i + 1];
            Attribute.Kind kind = v instanceof long[] ? Attribute.Kind.INTS
                    : v instanceof Long ? Attribute.Kind.INT
                    : v instanceof Float ? Attribute.Kind.FLOAT : Attribute.Kind.STRING;
            a.put(name, new Attribute(name, kind, v));
        }
        List<String> in = new java.util.ArrayList<>();
        for (int i = 0; i < inputs; i++) {
            in.add("in" + i);
        }
        return new Node(op + "_test", op, "", in, List.of("out"), a);
    }

    /** Uniform values in [-1, 1), a fraction {@code sparsity} of them set to exactly zero; never all zero. */
    static float[] random(Random r, int n, double sparsity) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() < sparsity ? 0f : r.nextFloat() * 2 - 1;
        }
        v[r.nextInt(n)] = 0.5f;
        return v;
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= tol * Math.max(1, Math.abs(expected[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    /** Loops over {@code team} from the calling test thread (which becomes its owner). */
    static Parallel onThisThread(WorkerTeam team) {
        team.ownedBy(Thread.currentThread());
        return new Parallel(team);
    }
}
