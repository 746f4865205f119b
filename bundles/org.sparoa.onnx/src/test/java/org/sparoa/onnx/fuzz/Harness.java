package org.sparoa.onnx.fuzz;

import org.sparoa.api.SparoaException;
import org.sparoa.onnx.OnnxModels;
import org.sparoa.onnx.TensorProtoIO;

/**
 * What every input must do: load, or fail with one of the platform's own exceptions whose message says what is
 * wrong. Anything else (another exception, an {@link Error} such as OutOfMemoryError or StackOverflowError) is a
 * finding: it is rethrown as an {@link AssertionError} naming what went wrong.
 */
final class Harness {
    enum Outcome { LOADED, REFUSED }

    private Harness() {
    }

    static Outcome importModel(byte[] bytes) {
        try {
            OnnxModels.fromBytes("fuzz", bytes, null);
            return Outcome.LOADED;
        } catch (SparoaException e) {
            return refused(e);
        } catch (Throwable t) {
            throw new AssertionError("the importer failed with a foreign " + t, t);
        }
    }

    static Outcome readTensor(byte[] bytes) {
        try {
            TensorProtoIO.parse(bytes, "fuzz.pb");
            return Outcome.LOADED;
        } catch (SparoaException e) {
            return refused(e);
        } catch (Throwable t) {
            throw new AssertionError("the TensorProto reader failed with a foreign " + t, t);
        }
    }

    private static Outcome refused(SparoaException e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("refused without saying why", e);
        }
        return Outcome.REFUSED;
    }
}
