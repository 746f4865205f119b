package org.sparoa.backend.ort.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder ONNX Runtime is told to take external tensor data from: an empty folder of our own. A model reaches
 * ONNX Runtime as bytes, and without this ONNX Runtime resolves a relative external location against the JVM's
 * working directory, the platform's home, where its keys and configuration live. The importer already refuses such
 * models; this is the second wall, so that no path the importer did not approve can be read: ONNX Runtime then
 * resolves every external location inside this folder, refuses locations that leave it (symbolic links included),
 * and finds nothing in it.
 */
final class NoExternalData {
    private static final Path FOLDER = create();

    private NoExternalData() {
    }

    static String folder() {
        return FOLDER.toString();
    }

    private static Path create() {
        try {
            // a fresh temporary folder is readable and writable by its owner only
            Path folder = Files.createTempDirectory("sparoa-no-external-data-");
            folder.toFile().deleteOnExit();
            return folder.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the empty folder that confines ONNX Runtime's external data", e);
        }
    }
}
