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

    /**
     * Reads a child's output to its end: the value of its {@code RESULT} line is returned; every other line goes to
     * {@code others}, which returns false for a line it does not take (kept, up to 4,000 characters, for the error).
     * A child that exits with an error or prints no result fails, naming {@code what} and showing what it printed.
     */
    static String result(Process p, String what, java.util.function.Predicate<String> others)
            throws IOException, InterruptedException {
        String result = null;
        StringBuilder log = new StringBuilder();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                } else if (!others.test(line) && log.length() < 4000) {
                    log.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException("the JVM of " + what + " failed:\n" + log);
        }
        return result;
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
