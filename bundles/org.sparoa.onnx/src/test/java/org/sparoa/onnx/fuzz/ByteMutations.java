package org.sparoa.onnx.fuzz;

import java.util.Arrays;

/** Mutations of serialized bytes, for models and tensors alike. */
final class ByteMutations {
    private ByteMutations() {
    }

    static byte[] flipBits(byte[] bytes, Choices c) {
        if (bytes.length == 0) {
            return new byte[] {(byte) c.nextInt(256)};
        }
        byte[] out = bytes.clone();
        int flips = 1 + c.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int at = c.nextInt(out.length);
            out[at] ^= (byte) (1 << c.nextInt(8));
        }
        return out;
    }

    static byte[] truncate(byte[] bytes, Choices c) {
        return bytes.length == 0 ? bytes : Arrays.copyOf(bytes, c.nextInt(bytes.length));
    }

    /** Appends a slice of itself: protobuf merges a repeated message, so fields come out duplicated. */
    static byte[] appendSlice(byte[] bytes, Choices c) {
        if (bytes.length == 0) {
            return bytes;
        }
        int from = c.nextInt(bytes.length);
        int len = c.nextInt(2) == 0 ? bytes.length - from : 1 + c.nextInt(Math.min(4096, bytes.length - from));
        byte[] out = Arrays.copyOf(bytes, bytes.length + len);
        System.arraycopy(bytes, from, out, bytes.length, len);
        return out;
    }
}
