package org.sparoa.backend.sparse.internal;

import org.sparoa.api.Node;

/** Sum of one or more inputs with numpy broadcasting. */
final class VariadicSum implements Kernel {
    private final BroadcastBinary add;

    VariadicSum(Node node) {
        this.add = new BroadcastBinary(node, BroadcastBinary.Op.ADD);
    }

    @Override
    public NdArray[] run(NdArray[] in, Parallel parallel) {
        NdArray acc = in[0];
        for (int i = 1; i < in.length; i++) {
            acc = add.run(new NdArray[] {acc, in[i]}, parallel)[0];
        }
        return new NdArray[] {acc};
    }
}
