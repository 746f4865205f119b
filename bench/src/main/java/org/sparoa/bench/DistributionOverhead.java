package org.sparoa.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The platform's own cost as a user sees it, through the real distribution (issue 12, item 7): {@code ./sparoa run
 * MODEL --backend ort-cpu --warmup 300 --iterations N} in a platform started afresh for the run (Karaf with its JVM
 * options and every bundle of the distribution active, the {@code ort-cpu} backend as configured there, one intra-op
 * thread per core), or with {@code -Dbench.restartPlatform=false} in one platform started before the first round and
 * left running, as a user runs it again and again, or with {@code -Dbench.platformPrelude=NAME} in a platform started
 * afresh that first ran another of the models ({@code sparoa:run} with the same warm-up and iterations, untimed
 * here), against plain ONNX Runtime 1.29 in a fresh JVM of its own as {@link UserOverheadBenchmark}'s
 * {@code plain ORT} contender runs it (same session options, one intra-op thread per core, 300 warm-up runs), the two
 * alternating, in the other order every second round. Each figure is one JVM's p50 (the platform's from
 * {@code --json}); the verdict is the median over the rounds of each contender's p50 and their ratio, and the same
 * over the fast-mode JVMs only ({@link UserOverheadBenchmark#SLOW_MODE}). Each platform run's JIT time during its
 * timed runs (from {@code --json}) is printed and kept.
 *
 * <p>Run from {@code bench/} after a build of the distribution. Arguments: {@code [rounds] [iterations] [models...]}
 * (default 6, 300, blazeface-front cls; the names of {@link UserOverheadBenchmark#cases});
 * {@code -Dbench.launcher=PATH} (default {@code ../sparoa}). Writes {@code results/distribution-overhead.json}; stops
 * the platform at the end.
 */
public final class DistributionOverhead {
    private static final int WARMUP = 300;
    /** The JIT's time in a {@link UserOverheadBenchmark} child's {@code DURING} line. */
    private static final java.util.regex.Pattern JIT = java.util.regex.Pattern.compile("jit (\\d+) ms");

    private DistributionOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        List<String> names = args.length > 2 ? List.of(args).subList(2, args.length)
                : List.of("blazeface-front", "cls");
        Path launcher = Path.of(System.getProperty("bench.launcher", "../sparoa")).toAbsolutePath().normalize();
        boolean restart = Boolean.parseBoolean(System.getProperty("bench.restartPlatform", "true"));
        if (!restart) {
            sparoa(launcher, List.of("stop"));
            sparoa(launcher, List.of("start"));
        }
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.println("load average before: " + LoadAverage.read());
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            for (UserOverheadBenchmark.Case c : UserOverheadBenchmark.cases(names)) {
                List<String> shapeOption = shapeOption(c);
                Map<String, List<Double>> p50 = new LinkedHashMap<>();
                List<Double> platformJit = new ArrayList<>();
                List<Double> plainJit = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < 2; k++) {
                        boolean platformTurn = (k == 0) == (r % 2 == 0);
                        if (platformTurn) {
                            double[] run = platformRun(launcher, c, shapeOption, iterations, restart);
                            p50.computeIfAbsent("platform", x -> new ArrayList<>()).add(run[0]);
                            platformJit.add(run[1]);
                        } else {
                            double[] run = plainRun(c, iterations, threads);
                            p50.computeIfAbsent("plain ORT", x -> new ArrayList<>()).add(run[0]);
                            plainJit.add(run[1]);
                        }
                    }
                    System.out.printf(Locale.ROOT, "%s round %d: platform %.3f ms (JIT %.0f ms during the timed "
                            + "runs), plain ORT %.3f ms (JIT %.0f ms)%n", c.name(), r + 1, last(p50.get("platform")),
                            last(platformJit), last(p50.get("plain ORT")), last(plainJit));
                }
                Map<String, Object> row = verdict(c.name(), p50);
                row.put("platformJitMsDuringTimedRuns", platformJit);
                row.put("plainOrtJitMsDuringTimedRuns", plainJit);
                rows.add(row);
            }
        } finally {
            sparoa(launcher, List.of("stop"));
        }
        System.out.println("load average after:  " + LoadAverage.read());
        UserOverheadBenchmark.writeReport("distribution-overhead.json", "./sparoa run --backend ort-cpu in a "
                + (restart ? "freshly started" : "running") + " platform vs plain ONNX Runtime in a fresh JVM, "
                + "alternating", threads, rounds, iterations, WARMUP, rows);
    }

    private static Map<String, Object> verdict(String model, Map<String, List<Double>> p50) {
        double platform = UserOverheadBenchmark.median(p50.get("platform"));
        double plain = UserOverheadBenchmark.median(p50.get("plain ORT"));
        Map<String, List<Double>> fast = UserOverheadBenchmark.fastModeJvms(p50);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("model", model);
        row.put("p50MsPerJvm", p50);
        row.put("platformP50Ms", platform);
        row.put("plainOrtP50Ms", plain);
        row.put("platformOverOrt", platform / plain);
        System.out.printf(Locale.ROOT, "%s: platform %.3f ms, plain ONNX Runtime %.3f ms: %.3f%n", model, platform,
                plain, platform / plain);
        if (fast != null) {
            List<Double> fastPlatform = fast.get("platform");
            List<Double> fastPlain = fast.get("plain ORT");
            double fp = UserOverheadBenchmark.median(fastPlatform);
            double fo = UserOverheadBenchmark.median(fastPlain);
            row.put("fastMode", Map.of("platformP50Ms", fp, "platformJvms", fastPlatform.size(), "plainOrtP50Ms", fo,
                    "plainOrtJvms", fastPlain.size(), "platformOverOrt", fp / fo));
            System.out.printf(Locale.ROOT, "  fast-mode JVMs only: platform %.3f ms (%d), plain ONNX Runtime %.3f ms "
                    + "(%d): %.3f%n", fp, fastPlatform.size(), fo, fastPlain.size(), fp / fo);
        }
        return row;
    }

    /**
     * One run of {@code sparoa:run}, in a platform started for it when {@code restart}: its p50 in ms and how long the
     * platform's JIT compiled during its timed runs, in ms (-1: not known).
     */
    private static double[] platformRun(Path launcher, UserOverheadBenchmark.Case c, List<String> shapeOption,
                                      int iterations, boolean restart) throws Exception {
        if (restart) {
            sparoa(launcher, List.of("stop"));
            sparoa(launcher, List.of("start"));
            String prelude = System.getProperty("bench.platformPrelude");
            if (prelude != null) {
                UserOverheadBenchmark.Case other = UserOverheadBenchmark.cases(List.of(prelude)).get(0);
                List<String> run = new ArrayList<>(List.of("run", other.file().toAbsolutePath().toString(),
                        "--backend", "ort-cpu", "--warmup", String.valueOf(WARMUP), "--iterations",
                        String.valueOf(iterations)));
                run.addAll(shapeOption(other));
                sparoa(launcher, run);
            }
        }
        Path json = Files.createTempFile("sparoa-run-", ".json");
        try {
            List<String> run = new ArrayList<>(List.of("run", c.file().toAbsolutePath().toString(), "--backend",
                    "ort-cpu", "--warmup", String.valueOf(WARMUP), "--iterations", String.valueOf(iterations),
                    "--json", json.toString()));
            run.addAll(shapeOption);
            sparoa(launcher, run);
            JsonObject doc = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            return new double[] {doc.getAsJsonObject("latencyMs").get("p50").getAsDouble(),
                    doc.getAsJsonObject("jvmDuringTimedRuns").get("jitMs").getAsDouble()};
        } finally {
            Files.deleteIfExists(json);
        }
    }

    /**
     * Plain ONNX Runtime in a JVM of its own, as {@link UserOverheadBenchmark} runs it: its p50 in ms and how long its
     * JIT compiled during the timed runs, in ms (-1: not reported).
     */
    private static double[] plainRun(UserOverheadBenchmark.Case c, int iterations, int threads)
            throws IOException, InterruptedException {
        Process p = ChildJvm.start(List.of("-XX:+UnlockDiagnosticVMOptions", "--add-modules", "jdk.incubator.vector",
                "-Dbench.warmup=" + WARMUP), UserOverheadBenchmark.class, List.of("--child", "plain ORT",
                c.file().toString(), String.valueOf(iterations), String.valueOf(threads),
                c.shape() == null ? "declared" : org.sparoa.api.Shapes.format(c.shape())));
        double[] jit = {-1};
        double p50 = Double.parseDouble(ChildJvm.result(p, "plain ONNX Runtime on " + c.file(), line -> {
            java.util.regex.Matcher m = JIT.matcher(line);
            if (line.startsWith("DURING ") && m.find()) {
                jit[0] = Double.parseDouble(m.group(1));
            }
            return true;
        }));
        return new double[] {p50, jit[0]};
    }

    /** {@code --shape NAME=SHAPE} where the case gives its single input's shape, else nothing. */
    private static List<String> shapeOption(UserOverheadBenchmark.Case c) throws Exception {
        if (c.shape() == null) {
            return List.of();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(c.file().toString())) {
            String input = s.getInputNames().iterator().next();
            return List.of("--shape", input + "=" + org.sparoa.api.Shapes.format(c.shape()));
        }
    }

    /** Runs the launcher with these arguments; fails with its output if it fails. */
    private static void sparoa(Path launcher, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("./sparoa " + String.join(" ", args) + " failed (exit " + p.exitValue()
                    + "):\n" + out);
        }
    }

    private static double last(List<Double> values) {
        return values == null ? Double.NaN : values.get(values.size() - 1);
    }
}
