package org.sparoa.backend.cuda.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** The committed PTX of {@code sparoa_kernels.cu} (built by {@code src/main/cuda/build-ptx.sh}), as the driver loads it. */
final class Ptx {
    static final String RESOURCE = "sparoa_kernels.ptx";

    private Ptx() {
    }

    /** The PTX text, NUL-terminated (cuModuleLoadData reads a C string). */
    static byte[] image() {
        try (InputStream in = Ptx.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the bundle");
            }
            byte[] b = in.readAllBytes();
            return Arrays.copyOf(b, b.length + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }
}
