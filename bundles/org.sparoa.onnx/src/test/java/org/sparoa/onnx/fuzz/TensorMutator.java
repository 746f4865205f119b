package org.sparoa.onnx.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;

/** Mutates a serialized TensorProto ({@code .pb} input file). */
final class TensorMutator {
    private TensorMutator() {
    }

    static byte[] mutate(byte[] seed, Choices c) {
        int kind = c.nextInt(8);
        switch (kind) {
            case 0, 1 -> {
                return ByteMutations.flipBits(seed, c);
            }
            case 2 -> {
                return ByteMutations.truncate(seed, c);
            }
            case 3 -> {
                return ByteMutations.appendSlice(seed, c);
            }
            default -> {
                TensorProto t;
                try {
                    t = TensorProto.parseFrom(seed);
                } catch (InvalidProtocolBufferException e) {
                    return ByteMutations.flipBits(seed, c);
                }
                TensorProto.Builder b = t.toBuilder();
                switch (kind) {
                    case 4 -> {
                        if (b.getDimsCount() == 0 || c.nextInt(3) == 0) {
                            b.addDims(ModelMutator.HOSTILE_LONGS[c.nextInt(ModelMutator.HOSTILE_LONGS.length)]);
                        } else {
                            b.setDims(c.nextInt(b.getDimsCount()),
                                    ModelMutator.HOSTILE_LONGS[c.nextInt(ModelMutator.HOSTILE_LONGS.length)]);
                        }
                    }
                    case 5 -> b.setDataType(c.nextInt(30) - 2);
                    case 6 -> b.setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(
                            StringStringEntryProto.newBuilder().setKey("location").setValue("../../../etc/passwd"));
                    default -> b.setRawData(ByteString.copyFrom(ByteMutations.truncate(b.getRawData().toByteArray(), c)));
                }
                return b.build().toByteArray();
            }
        }
    }
}
