package org.sparoa.backend.cuda.internal;

/** One kernel argument of a compiled step, resolved to a value when the step is launched. */
sealed interface Arg {
    /** The device buffer of an activation slot (per run). */
    record Slot(int slot) implements Arg {
    }

    /** An address inside the program's constant block (weights, CSR arrays, shape parameters, tables). */
    record Constant(long byteOffset) implements Arg {
    }

    /** A null pointer (an absent bias or residual). */
    record Null() implements Arg {
    }

    record I64(long value) implements Arg {
    }

    record F32(float value) implements Arg {
    }

    Arg NULL = new Null();
}
