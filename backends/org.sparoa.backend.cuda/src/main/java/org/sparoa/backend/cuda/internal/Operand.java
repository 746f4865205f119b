package org.sparoa.backend.cuda.internal;

import org.sparoa.api.DataType;

/**
 * A tensor as the device sees it while a program is built: in an activation value ({@code value >= 0}, placed in a
 * slot later) or in the constant block ({@code constantOffset}). Data is float32 whatever {@code type} says.
 */
record Operand(int value, long constantOffset, long[] shape, DataType type) {

    static Operand activation(int value, long[] shape, DataType type) {
        return new Operand(value, -1, shape, type);
    }

    static Operand constant(long offset, long[] shape, DataType type) {
        return new Operand(-1, offset, shape, type);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    boolean isActivation() {
        return value >= 0;
    }

    long elements() {
        return Broadcast.count(shape);
    }

    Operand withShape(long[] newShape) {
        return new Operand(value, constantOffset, newShape, type);
    }

    Operand withType(DataType newType) {
        return new Operand(value, constantOffset, shape, newType);
    }

    /** The argument that addresses it (a slot is renumbered once the buffers are planned). */
    Arg arg() {
        return isActivation() ? new Arg.Slot(value) : new Arg.Constant(constantOffset);
    }
}
