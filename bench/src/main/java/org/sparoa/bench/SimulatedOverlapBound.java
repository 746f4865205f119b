package org.sparoa.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.sparoa.bench.SimulatedBoardPoints.Point;
import org.sparoa.policy.greedy.internal.GreedyEarliestFinishPolicy;
import org.sparoa.sim.BoardProfile;
import org.sparoa.sim.BoardProfiles;
import org.sparoa.sim.PlanSimulator;
import org.sparoa.sim.SimulatedPlan;

/**
 * How much faster than {@code greedy} any placement could be on the simulated boards with no background load, even
 * if the engine overlapped every pair of independent segments on different devices: {@code greedy}'s simulated plan
 * (operators one after another, as the simulator runs a plan) against {@link PlanSimulator#overlapBound} (each
 * operator at its fastest device, hand-overs free, the graph's longest path or its work spread over the devices).
 * Every time is SIMULATED by the roofline simulator; nothing runs. Prints a table and writes a CSV.
 *
 * <pre>
 * java ... org.sparoa.bench.SimulatedOverlapBound [--models mlsd,det,blazeface_back,cls]
 *     [--boards agx-orin:MAXN,orin-nano:15W,agx-orin+npu:MAXN] [--sparsities 0,50,80,90] [--search-seconds 10]
 *     [--results results/simulated-overlap-bound]
 * </pre>
 */
public final class SimulatedOverlapBound {

    private SimulatedOverlapBound() {
    }

    public static void main(String[] args) throws Exception {
        List<String> boards = List.of("agx-orin:MAXN", "orin-nano:15W", "agx-orin+npu:MAXN");
        List<Integer> sparsities = List.of(0, 50, 80, 90);
        String results = "results/simulated-overlap-bound";
        long searchMillis = 10_000;
        String models = "mlsd,det,blazeface_back,cls";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--boards" -> boards = Arrays.stream(args[++i].split(",")).map(String::trim).toList();
                case "--sparsities" -> sparsities = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--results" -> results = args[++i];
                case "--models" -> models = args[++i];
                case "--search-seconds" -> searchMillis = Long.parseLong(args[++i]) * 1000;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --models mlsd,det,... --boards B,B --sparsities 0,50,... --results PREFIX"
                        + " --search-seconds S");
            }
        }
        List<BoardProfile> profiles = boards.stream().map(BoardProfiles::get).toList();
        List<Point> points = SimulatedBoardPoints.analyse(BenchModels.matching(models),
                sparsities, profiles);
        GreedyEarliestFinishPolicy greedy = new GreedyEarliestFinishPolicy();

        System.out.println("SIMULATED plan times (ms, expected values of the roofline simulator; nothing was run;"
                + " seq = operators one after another, ovl = independent segments overlapped as the engine runs"
                + " them):");
        System.out.printf(Locale.ROOT, "%-19s %-15s %4s %9s %9s %9s %9s %9s %9s %9s | %9s %9s %9s%n", "board",
                "model", "sp%", "best dev", "greedy", "greedy", "oracle", "search", "search", "bound", "greedy/",
                "greedy/", "greedy/");
        System.out.printf(Locale.ROOT, "%-19s %-15s %4s %9s %9s %9s %9s %9s %9s %9s | %9s %9s %9s%n", "", "", "",
                "", "seq", "ovl", "seq", "ovl", "seq", "", "search", "bound", "oracle");
        List<Map<String, Object>> rows = new ArrayList<>();
        double worstBound = 0;
        double bestSearch = 0;
        for (Point p : points) {
            Map<String, SimulatedPlan> alone = p.singleDevicePlans(p.plans());
            double bestDevice = alone.values().stream().mapToDouble(a -> a.latency().expectedMillis()).min()
                    .orElse(Double.POSITIVE_INFINITY);
            List<Map<String, String>> starts = new ArrayList<>();
            alone.values().forEach(a -> starts.add(a.deviceByNode()));
            Map<String, String> greedyPlan = p.backends().devices(greedy.place(p.context()));
            double greedyMs = p.plans().simulate(greedyPlan).latency().expectedMillis();
            double greedyOverlappedMs = p.plans().simulateOverlapped(greedyPlan).latency().expectedMillis();
            SimulatedPlan chain = p.plans().bestChain();
            double oracleMs = Math.min(Math.min(chain.latency().expectedMillis(), greedyMs), bestDevice);
            starts.add(greedyPlan);
            starts.add(chain.deviceByNode());
            Map<String, String> found = OverlapSearch.search(p, starts, searchMillis);
            double searchMs = p.plans().simulateOverlapped(found).latency().expectedMillis();
            SimulatedPlan foundOneAfterAnother = p.plans().simulate(found);
            double searchSequentialMs = foundOneAfterAnother.latency().expectedMillis();
            PlanSimulator.OverlapBound bound = p.plans().overlapBound();
            double boundMs = bound.latency() * 1e3;
            worstBound = Math.max(worstBound, greedyMs / boundMs);
            bestSearch = Math.max(bestSearch, greedyMs / searchMs);
            System.out.printf(Locale.ROOT, "%-19s %-15s %4d %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f | %9.3f %9.3f"
                            + " %9.3f%n", p.board(), p.model(), p.sparsity(), bestDevice, greedyMs, greedyOverlappedMs,
                    oracleMs, searchMs, searchSequentialMs, boundMs, greedyMs / searchMs, greedyMs / boundMs,
                    greedyMs / oracleMs);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("board", p.board());
            row.put("model", p.model());
            row.put("sparsity_pct", p.sparsity());
            row.put("best_device_ms_simulated", bestDevice);
            row.put("greedy_ms_simulated", greedyMs);
            row.put("greedy_overlapped_ms_simulated", greedyOverlappedMs);
            row.put("oracle_ms_simulated", oracleMs);
            row.put("overlap_search_ms_simulated", searchMs);
            row.put("overlap_search_one_after_another_ms_simulated", searchSequentialMs);
            row.put("overlap_search_segments", foundOneAfterAnother.segments());
            row.put("longest_path_ms_simulated", bound.longestPath() * 1e3);
            row.put("spread_work_ms_simulated", bound.spreadWork() * 1e3);
            row.put("overlap_bound_ms_simulated", boundMs);
            row.put("split_exists", oracleMs < bestDevice * 0.995);
            row.put("greedy_over_overlap_search", greedyMs / searchMs);
            row.put("greedy_over_bound", greedyMs / boundMs);
            rows.add(row);
        }
        System.out.printf(Locale.ROOT, "greedy / overlap search, largest: %.3f; greedy / bound, largest: %.3f"
                + " (SIMULATED)%n", bestSearch, worstBound);
        String command = "SimulatedOverlapBound --models " + models + " --boards " + String.join(",", boards)
                + " --sparsities " + sparsities.toString().replaceAll("[\\[\\] ]", "") + " --search-seconds "
                + searchMillis / 1000;
        ResultsCsv.write(Path.of(results + ".csv"), List.of("SIMULATED: roofline simulator of org.sparoa.sim, no"
                + " background load; nothing was run", "command: " + command), rows);
    }
}
