package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a benchmark's contender in a JVM of its own, with this JVM's class path. The class path travels in the
 * {@code CLASSPATH} environment variable, not on the command line: ONNX Runtime 1.29.0's Java binding crashes the JVM
 * (SIGSEGV while the native library loads, no error file) when the process's command line is longer than about
 * 4 KB, and this module's class path alone is about 3.7 KB.
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /** {@code java [jvmOptions] mainClass [args]}, standard error merged into standard output. */
    static Process start(List<String> jvmOptions, Class<?> mainClass, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add(mainClass.getName());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return pb.start();
    }
}
