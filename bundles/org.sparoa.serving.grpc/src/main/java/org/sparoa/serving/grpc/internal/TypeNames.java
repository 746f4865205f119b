package org.sparoa.serving.grpc.internal;

import org.sparoa.api.DataType;
import org.sparoa.serving.core.KserveTypes;

/** Triton's configuration types (TYPE_FP32) of the platform's element types, as the protobuf enum. */
final class TypeNames {
    private TypeNames() {
    }

    static org.sparoa.serving.grpc.proto.DataType triton(DataType t) {
        return org.sparoa.serving.grpc.proto.DataType.valueOf(KserveTypes.triton(t));
    }
}
