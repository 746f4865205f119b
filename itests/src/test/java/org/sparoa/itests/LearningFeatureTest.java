package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.inject.Inject;

import org.apache.karaf.shell.api.console.SessionFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.PlanDescription;
import org.sparoa.api.RunOptions;

/**
 * The {@code sparoa-learning} feature in the distribution: the private ND4J bundle exports nothing, the threshold
 * predictor predicts inside Karaf (ND4J's natives load through the bundle's class loader), and the ND4J bundle can
 * be stopped, started and updated at runtime: the predictor service goes and comes back, the {@code threshold}
 * policy keeps placing with its constant thresholds meanwhile, and no other bundle is stopped. The predictor bundle
 * itself can be stopped, updated and started while requests planned by {@code threshold} keep coming: none fails,
 * every output equals plain ONNX Runtime's, and each plan says whose thresholds it used.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LearningFeatureTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

    private static final String PREDICTOR = "org.sparoa.api.predict.ThresholdPredictor";
    private static final String NETWORKS = "org.sparoa.api.learn.SequenceNetworks";
    private static final String SHAPE = "--shape x=1x3x48x192";
    private static final String PREDICTOR_BUNDLE = "org.sparoa.predictor";
    private static final String FROM_PREDICTOR = "thresholds: per operator from the threshold predictor";

    @Inject
    private BundleContext context;

    @Inject
    private SessionFactory sessionFactory;

    @Inject
    private InferenceService inference;

    @Inject
    private ModelRegistry models;

    @Configuration
    public Option[] config() throws IOException {
        return Distribution.options();
    }

    @Test
    public void predictorPredictsAndTheMlBundleStopsStartsAndUpdatesAtRuntime() throws Exception {
        Distribution.waitFor("the threshold predictor service", () -> registered(PREDICTOR));
        Bundle ml = bundle("org.sparoa.ml");
        assertNotNull("org.sparoa.ml is installed", ml);
        assertNull("org.sparoa.ml exports nothing (ND4J and JavaCPP stay private)",
                ml.getHeaders().get("Export-Package"));
        String model = model("ch_ppocr_mobile_v2.0_cls_infer.onnx").toString();

        String predicted = execute("sparoa:predict " + SHAPE + " " + model);
        assertTrue("per-operator thresholds printed:\n" + predicted,
                predicted.contains("operators on sparse-cpu") && predicted.contains("predictor v"));
        String planned = execute("sparoa:schedule --policy threshold " + SHAPE + " " + model);
        assertTrue("the threshold policy placed the model with the predictor:\n" + planned, planned.contains("ort-cpu")
                || planned.contains("sparse-cpu"));

        StoppedBundles stopped = StoppedBundles.listen(context);
        try {
            ml.stop();
            Distribution.waitFor("the predictor service gone with ND4J", () -> !registered(PREDICTOR));
            String fallback = execute("sparoa:schedule --policy threshold " + SHAPE + " " + model);
            assertTrue("without the predictor the threshold policy still places:\n" + fallback,
                    fallback.contains("ort-cpu") || fallback.contains("sparse-cpu"));

            ml.start();
            Distribution.waitFor("the predictor back after start", () -> registered(PREDICTOR));
            ml.update();
            Distribution.waitFor("org.sparoa.ml active after update", () -> ml.getState() == Bundle.ACTIVE);
            Distribution.waitFor("the networks service after update", () -> registered(NETWORKS));
            Distribution.waitFor("the predictor back after update", () -> registered(PREDICTOR));
            String again = execute("sparoa:predict " + SHAPE + " " + model);
            assertTrue("predicts after the update:\n" + again, again.contains("operators on sparse-cpu"));
        } finally {
            stopped.close();
        }
        assertEquals("only org.sparoa.ml stopped (twice: stop, update): " + stopped.names(),
                List.of("org.sparoa.ml", "org.sparoa.ml"), stopped.names());
        assertTrue("ort-cpu still serves", registeredBackend("ort-cpu"));
    }

    /**
     * Every request of the load is planned anew by {@code threshold} (a distinct policy option per request keeps it
     * out of the plan cache), so each one asks the predictor, or finds it gone: the predictor bundle stopped, updated
     * and started mid-load costs no request, and the plans' explanations show the thresholds' source switching from
     * the predictor to the constants and back.
     */
    @Test
    public void thresholdKeepsPlanningWhileThePredictorBundleIsStoppedUpdatedAndStartedUnderLoad() throws Exception {
        Distribution.waitFor("the threshold predictor service", () -> registered(PREDICTOR));
        Bundle predictor = bundle(PREDICTOR_BUNDLE);
        assertNotNull(PREDICTOR_BUNDLE + " is installed", predictor);
        Model model = models.load("cls-predictor-swap", OrtReferences.classifier());
        OrtReferences references = OrtReferences.classifier(model.graph().inputs().get(0).name(), 4, 1e-5);
        AtomicLong request = new AtomicLong();
        ConcurrentLinkedQueue<String> sources = new ConcurrentLinkedQueue<>();
        CheckedLoad load = CheckedLoad.start("LearningFeatureTest predictor swap", 1, Long.MAX_VALUE, references,
                c -> in -> {
                    InferenceResult r = inference.infer(model.id(), in, RunOptions.withPolicy("threshold", Map.of(
                            "request", Long.toString(request.incrementAndGet()), PlanDescription.EXPLAIN, "true")));
                    PlanDescription plan = r.plan();
                    sources.add(plan.policy().equals("threshold") && !plan.explanation().isEmpty()
                            ? plan.explanation().get(0) : "planned by " + plan.policy() + ": " + plan.fallbackReason());
                    return r.outputs().values().iterator().next().toFloatArray();
                });
        StoppedBundles stopped = StoppedBundles.listen(context);
        try {
            Distribution.waitFor("a request planned with the predictor's thresholds",
                    () -> sources.contains(FROM_PREDICTOR) || load.hasProblems());
            predictor.stop();
            Distribution.waitFor("the predictor service gone", () -> !registered(PREDICTOR));
            sources.clear();
            Distribution.waitFor("a request planned with the constants while the predictor is away",
                    () -> sources.stream().anyMatch(l -> l.endsWith("(no threshold predictor installed)"))
                            || load.hasProblems());
            predictor.start();
            Distribution.waitFor("the predictor back", () -> registered(PREDICTOR));
            predictor.update();
            Distribution.waitFor(PREDICTOR_BUNDLE + " active after update", () -> predictor.getState() == Bundle.ACTIVE);
            Distribution.waitFor("the predictor back after the update", () -> registered(PREDICTOR));
            sources.clear();
            Distribution.waitFor("a request planned with the predictor's thresholds after the update",
                    () -> sources.contains(FROM_PREDICTOR) || load.hasProblems());
        } finally {
            load.stopAndJoin();
            stopped.close();
            models.unload(model.id());
        }
        load.assertNoneFailedLostOrWrong();
        assertTrue("every request was planned by threshold itself: " + sources,
                sources.stream().noneMatch(l -> l.startsWith("planned by ")));
        assertEquals("only the predictor bundle stopped (stop, update): " + stopped.names(),
                List.of(PREDICTOR_BUNDLE, PREDICTOR_BUNDLE), stopped.names());
    }

    /**
     * {@code sparoa:train} is the shell's one command for every {@code Trainable} a bundle registers: it lists them,
     * names the installed ones when asked for another, and refuses an option the trainable does not take.
     */
    @Test
    public void sparoaTrainDispatchesToTheTrainableNamedAndNamesWhatIsWrong() throws Exception {
        Distribution.waitFor("the predictor's trainable", () -> context.getServiceReferences(
                "org.sparoa.api.learn.Trainable", "(sparoa.trainable=predictor)") != null);
        String listed = execute("sparoa:train");
        assertTrue(listed, listed.contains("predictor: the threshold predictor"));
        assertTrue(refusal("sparoa:train nothing-such"), refusal("sparoa:train nothing-such")
                .contains("nothing named 'nothing-such' to train; installed: ") && listed.contains("predictor"));
        String noData = refusal("sparoa:train predictor");
        assertTrue(noData, noData.contains("needs --data"));
        String wrongOption = refusal("sparoa:train predictor --data x.jsonl --episodes 5");
        assertTrue(wrongOption, wrongOption.contains("does not take --episodes"));
        String missing = refusal("sparoa:train predictor --data no-such-dataset.jsonl");
        assertTrue(missing, missing.contains("no-such-dataset.jsonl"));
    }

    /**
     * The predictor's whole loop inside the distribution: {@code sparoa:dataset} measures a model's operators on the
     * live backends, {@code sparoa:train predictor} trains on that data (ND4J's automatic differentiation of the
     * encoder and the plain-Java LSTM backward pass, under the learning bundle's class loader) and saves the next
     * version, and the running predictor picks that version up at its next prediction.
     */
    @Test
    public void aDataSetMeasuredAndTrainedInTheDistributionBecomesTheNextPredictor() throws Exception {
        Distribution.waitFor("the threshold predictor service", () -> registered(PREDICTOR));
        String model = model("ch_ppocr_mobile_v2.0_cls_infer.onnx").toString();
        Matcher before = VERSION.matcher(execute("sparoa:predict " + SHAPE + " " + model));
        assertTrue("the predictor names its version", before.find());
        Path data = Paths.get(System.getProperty("karaf.data"), "itest-dataset.jsonl");
        execute("sparoa:dataset --out " + data + " --levels 0,0.9 " + SHAPE + " " + model);
        long lines;
        try (var all = Files.lines(data)) {
            lines = all.filter(l -> !l.isBlank()).count();
        }
        assertTrue("the data set has the model's operators at two levels: " + lines + " line(s)", lines > 100);

        String trained = execute("sparoa:train predictor --data " + data + " --epochs 2 --members 1");
        Matcher saved = Pattern.compile("saved predictor v(\\d+)").matcher(trained);
        assertTrue("training saved a version:\n" + trained, saved.find());
        long next = Long.parseLong(saved.group(1));
        assertEquals("the version after the running one", Long.parseLong(before.group(1)) + 1, next);
        Matcher after = VERSION.matcher(execute("sparoa:predict " + SHAPE + " " + model));
        assertTrue("the next prediction names a version", after.find());
        assertEquals("the next prediction uses the version just trained", next, Long.parseLong(after.group(1)));
    }

    private static final Pattern VERSION = Pattern.compile("predictor v(\\d+) ");

    /** The message of the exception a command ends with (the test fails when it ends without one). */
    private String refusal(String command) throws Exception {
        try {
            String out = execute(command);
            throw new AssertionError("'" + command + "' was expected to fail, printed:\n" + out);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private boolean registered(String service) {
        return context.getServiceReference(service) != null;
    }

    private boolean registeredBackend(String id) throws Exception {
        return context.getServiceReferences("org.sparoa.api.DeviceBackend", "(sparoa.backend.id=" + id + ")") != null;
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private static Path model(String name) {
        Path model = Paths.get(System.getProperty("karaf.home"), "models", name);
        assertTrue("the distribution ships " + model, Files.isRegularFile(model));
        return model;
    }

    private String execute(String command) throws Exception {
        return Distribution.execute(sessionFactory, command);
    }
}
