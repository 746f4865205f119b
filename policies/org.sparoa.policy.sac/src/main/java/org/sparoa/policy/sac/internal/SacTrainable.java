package org.sparoa.policy.sac.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.sparoa.api.AtomicFiles;
import org.sparoa.api.BackendView;
import org.sparoa.api.BoundaryCost;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.OperatorProfiler;
import org.sparoa.api.RandomInputs;
import org.sparoa.api.SchedulingContext;
import org.sparoa.api.analysis.ModelAnalyzer;
import org.sparoa.api.learn.SoftActorCritics;
import org.sparoa.api.learn.Trainable;
import org.sparoa.api.learn.TrainingOptions;
import org.sparoa.api.predict.ThresholdPredictor;

/**
 * {@code sparoa:train sac [MODEL...]}: trains the policy's agent offline and saves it as the next weights version,
 * which the running policy picks up at its next decision. Arguments: model ids or ONNX files (loaded when not yet);
 * none = every loaded model. Each model's costs are the engine's own cost model when the {@code sac} policy placed
 * it lately, else the {@link OperatorProfiler}'s measurements on the live backends ({@link ProfiledCosts}: segment
 * and hand-over costs estimated). Options: {@code episodes} (default 2000), {@code seed} (42), {@code minutes} (time
 * limit, 10), {@code out} (directory of the reward curve SVG; default the weights directory), {@code shape} (input
 * shapes for profiling models with dynamic dimensions: {@code x=1x3x48x192}, several separated by commas).
 */
@Component(service = Trainable.class, configurationPid = SacPolicy.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = Trainable.PROP_NAME + "=" + SacPolicy.NAME)
public class SacTrainable implements Trainable {
    static final Set<String> OPTIONS = Set.of("episodes", "seed", "minutes", "out", "shape");

    private final SoftActorCritics agents;
    private final ModelRegistry models;
    private final OperatorProfiler profiler;
    private final SacPolicy policy;
    private final WeightsStore store;
    private final List<DeviceBackend> backends = new CopyOnWriteArrayList<>();
    private volatile ThresholdPredictor predictor;
    private volatile ModelAnalyzer analyzer;

    @Activate
    public SacTrainable(@Reference SoftActorCritics agents, @Reference ModelRegistry models,
                        @Reference OperatorProfiler profiler, @Reference SacPolicy policy, SacConfig config) {
        this(agents, models, profiler, policy,
                config.directory().isBlank() ? SacPolicy.defaultDirectory() : Path.of(config.directory()));
    }

    public SacTrainable(SoftActorCritics agents, ModelRegistry models, OperatorProfiler profiler, SacPolicy policy,
                        Path directory) {
        this.agents = agents;
        this.models = models;
        this.profiler = profiler;
        this.policy = policy;
        this.store = new WeightsStore(directory);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindBackend(DeviceBackend b) {
        backends.add(b);
    }

    public void unbindBackend(DeviceBackend b) {
        backends.remove(b);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindPredictor(ThresholdPredictor p) {
        predictor = p;
    }

    public void unbindPredictor(ThresholdPredictor p) {
        if (predictor == p) {
            predictor = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindAnalyzer(ModelAnalyzer a) {
        analyzer = a;
    }

    public void unbindAnalyzer(ModelAnalyzer a) {
        if (analyzer == a) {
            analyzer = null;
        }
    }

    @Override
    public String name() {
        return SacPolicy.NAME;
    }

    @Override
    public String description() {
        return "the sac scheduling policy's agent, on the models' measured costs with simulated load on each backend"
                + " (options: episodes, seed, minutes, out, shape)";
    }

    @Override
    public Set<String> options() {
        return OPTIONS;
    }

    @Override
    public List<String> train(List<String> arguments, Map<String, String> options, Listener listener,
                              BooleanSupplier cancelled) throws Exception {
        int episodes = TrainingOptions.intOption(options, "episodes", 2000, 1);
        long seed = TrainingOptions.longOption(options, "seed", 42);
        int minutes = TrainingOptions.intOption(options, "minutes", 10, 1);
        List<String> lines = new ArrayList<>();
        List<SchedulingContext> contexts = new ArrayList<>();
        Map<String, long[]> shapes = shapes(options.get("shape"));
        for (Model m : models(arguments)) {
            contexts.add(context(m, shapes, lines));
        }
        Map<String, String> info = new LinkedHashMap<>();
        info.put("models", String.join(" ", contexts.stream().map(c -> c.model().id()).toList()));
        info.put("trained", java.time.Instant.now().toString());
        OfflineTraining.Outcome out = OfflineTraining.run(agents, contexts, predictor, episodes, seed,
                minutes * 60_000L, info, (done, total, env, ratio) -> {
                    listener.progress(done, total, "episodes");
                    if (done % 100 == 0) {
                        listener.line(String.format(Locale.ROOT, "episode %d: %s, plan %.3fx the reference", done,
                                env, ratio));
                    }
                }, cancelled);
        if (out.cancelled()) {
            return List.of("sac: training cancelled after " + out.episodes() + " episodes; nothing saved");
        }
        Path saved = store.save(WeightsStore.readBytes(out.weights(), "the trained weights"));
        String stem = saved.getFileName().toString().replace(".weights", "");
        Path svg = Path.of(options.getOrDefault("out", store.directory().toString())).resolve(stem + "-reward-curve.svg");
        AtomicFiles.write(svg, out.svg().getBytes(StandardCharsets.UTF_8));
        lines.add(String.format(Locale.ROOT, "sac: %d episodes (%s), %d updates, seed %d", out.episodes(),
                out.timedOut() ? "stopped at the " + minutes + " min limit" : "all", out.updates(), seed));
        for (OfflineTraining.Evaluation e : out.evaluations()) {
            lines.add(String.format(Locale.ROOT, "  %-60s sac %.3f ms, reference %.3f ms (%.3fx)", e.environment(),
                    e.agentMillis(), e.referenceMillis(), e.ratio()));
        }
        lines.add("sac: weights saved to " + saved + " (the running policy uses them from its next decision)");
        lines.add("sac: reward curve written to " + svg);
        return lines;
    }

    /** The named models (ids or ONNX files, loaded if needed), or every loaded model. */
    private List<Model> models(List<String> arguments) {
        if (arguments.isEmpty()) {
            List<Model> all = models.list();
            if (all.isEmpty()) {
                throw new IllegalArgumentException("sparoa:train sac: no model is loaded; name model ids or ONNX files");
            }
            return all;
        }
        List<Model> out = new ArrayList<>();
        for (String a : arguments) {
            Optional<Model> loaded = models.get(a);
            if (loaded.isPresent()) {
                out.add(loaded.get());
            } else if (Files.isRegularFile(Path.of(a))) {
                out.add(models.load(null, Path.of(a)));
            } else {
                throw new IllegalArgumentException("sparoa:train sac: '" + a + "' is neither a loaded model nor a file;"
                        + " loaded: " + models.list().stream().map(Model::id).toList());
            }
        }
        return out;
    }

    /** The engine's last context of the model under sac, else one from profiled costs on the live backends. */
    private SchedulingContext context(Model m, Map<String, long[]> shapes, List<String> lines) {
        Optional<SchedulingContext> seen = policy.recentContext(m.id());
        if (seen.isPresent()) {
            lines.add("sac: " + m.id() + ": the engine's cost model from its latest sac plan");
            return seen.get();
        }
        List<DeviceBackend> live = backends.stream().sorted(Comparator.comparing(DeviceBackend::id)).toList();
        if (live.isEmpty()) {
            throw new IllegalStateException("sparoa:train sac: no backend is live to profile " + m.id() + " on");
        }
        List<OperatorProfiler.Measurement> measured = profiler.profile(m.id(), RandomInputs.forModel(m, shapes, 42),
                false);
        List<BackendView> views = live.stream().map(b -> (BackendView) new DeviceBackendView(b, m.graph())).toList();
        ModelAnalyzer a = analyzer;
        Map<String, BoundaryCost> boundaries = profiler.boundaryCosts();
        boolean allMeasured = views.stream().allMatch(v -> boundaries.containsKey(v.id()));
        lines.add("sac: " + m.id() + ": " + measured.size() + " operator measurements on " + views.stream()
                .map(BackendView::id).toList() + (allMeasured ? " (segment and hand-over costs measured)"
                : " (segment and hand-over costs estimated where not measured)"));
        return new SchedulingContext(m, views, Map.of(), new ProfiledCosts(m.graph(), measured, boundaries), shapes,
                a == null ? Optional.empty() : a.cached(m.sha256()));
    }

    /** {@code x=1x3x48x192,y=1x4}: input name to shape; empty when not given. */
    private static Map<String, long[]> shapes(String option) {
        Map<String, long[]> out = new LinkedHashMap<>();
        if (option == null || option.isBlank()) {
            return out;
        }
        for (String part : option.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("option --shape takes NAME=DIMS (e.g. x=1x3x48x192), got '" + part
                        + "'");
            }
            out.put(part.substring(0, eq).trim(), org.sparoa.api.Shapes.parse(part.substring(eq + 1).trim()));
        }
        return out;
    }
}
