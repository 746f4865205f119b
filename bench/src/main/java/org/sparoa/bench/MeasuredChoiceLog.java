package org.sparoa.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How good the policies' own plans were, read from the engine's measured-choice log lines (stderr of
 * {@link SacEvaluation} or {@link PolicyBenchmark}): per policy, how many segments its own plan had, how much slower it
 * measured than the plan the choice kept (same rounds), and how far its cost-model estimate was from its measured
 * time; and per model, what a boundary of the timed splits cost above its estimate. A policy whose plans the
 * measured choice keeps replacing plans from a cost model that does not describe the machine.
 *
 * <p>Argument: the log file. Run from {@code bench/}: {@code java -cp "target/classes:target/lib/*"
 * org.sparoa.bench.MeasuredChoiceLog FILE}.
 */
public final class MeasuredChoiceLog {
    private static final Pattern OWN = Pattern.compile("Measured plans of (\\S+) on .*?: (\\w+) "
            + "\\((\\d+) segment\\(s\\) on \\[[^\\]]*\\], estimated ([0-9.]+) ms, boundaries ([0-9.]+) ms\\) "
            + "([0-9.]+) ms"
            + "( \\(([0-9.]+)x the kept plan)?");
    private static final Pattern ANY = Pattern.compile("\\((\\d+) segment\\(s\\) on \\[[^\\]]*\\], estimated ([0-9.]+)"
            + " ms, boundaries ([0-9.]+) ms\\) ([0-9.]+) ms");

    private MeasuredChoiceLog() {
    }

    private record Own(String policy, int segments, double estimated, double measured, double overKept) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: MeasuredChoiceLog LOG_FILE");
        }
        List<Own> own = new ArrayList<>();
        Map<String, List<Double>> extraPerBoundary = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            if (!line.contains("Measured plans of")) {
                continue;
            }
            Matcher m = OWN.matcher(line);
            if (m.find()) {
                own.add(new Own(m.group(2), Integer.parseInt(m.group(3)), Double.parseDouble(m.group(4)),
                        Double.parseDouble(m.group(6)), m.group(8) == null ? 1.0 : Double.parseDouble(m.group(8))));
                Matcher a = ANY.matcher(line);
                while (a.find()) {
                    int segments = Integer.parseInt(a.group(1));
                    if (segments > 1) {
                        extraPerBoundary.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(
                                (Double.parseDouble(a.group(4)) - Double.parseDouble(a.group(2))) / (segments - 1));
                    }
                }
            }
        }
        System.out.println("policy     choices  segments (median, max)  own plan over kept (median, max, >1.10)"
                + "  measured over estimated (median)");
        for (String policy : own.stream().map(Own::policy).distinct().toList()) {
            List<Own> p = own.stream().filter(o -> o.policy().equals(policy)).toList();
            double[] segments = p.stream().mapToDouble(Own::segments).toArray();
            double[] over = p.stream().mapToDouble(Own::overKept).toArray();
            double[] error = p.stream().mapToDouble(o -> o.measured() / o.estimated()).toArray();
            System.out.printf(Locale.ROOT, "%-10s %7d  %8.1f %4.0f             %6.3f %6.3f %4d                %6.2f%n",
                    policy, p.size(), median(segments), max(segments), median(over), max(over),
                    java.util.Arrays.stream(over).filter(x -> x > 1.10).count(), median(error));
        }
        System.out.println();
        System.out.println("model                                splits  measured over estimated per boundary, ms "
                + "(median)");
        extraPerBoundary.forEach((model, v) -> System.out.printf(Locale.ROOT, "%-36s %6d  %8.3f%n", model, v.size(),
                median(v.stream().mapToDouble(Double::doubleValue).toArray())));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }
}
