package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
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
import org.sparoa.api.RunOptions;

/**
 * The {@code sac} policy bundle in the distribution: it registers the policy and its trainable, plans with its
 * shipped weights, explains its decisions through {@code sparoa:schedule --explain}, and can be stopped, updated and
 * started while requests that name it keep coming: none fails (the engine falls back while it is away), every output
 * equals plain ONNX Runtime's, and no other bundle stops.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SacPolicyFeatureTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);

    private static final String SAC = "org.sparoa.policy.sac";
    private static final String SHAPE = "--shape x=1x3x48x192";

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
    public void sacPlansExplainsAndSurvivesStopUpdateStartUnderLoad() throws Exception {
        Distribution.waitFor("the sac policy", () -> policyRegistered("sac"));
        Path file = OrtReferences.classifier();
        String policies = execute("sparoa:policies");
        assertTrue(policies, policies.contains("sac"));
        String trainables = execute("sparoa:train");
        assertTrue(trainables, trainables.contains("sac: "));

        String explained = execute("sparoa:schedule --summary --explain --policy sac " + SHAPE + " " + file);
        String planLine = explained.lines().filter(l -> l.startsWith("Policy: ")).findFirst().orElse(explained);
        assertTrue("sac planned with its shipped weights: " + planLine, planLine.startsWith("Policy: sac,")
                && !planLine.contains("policy 'sac'"));
        assertTrue("an explanation follows the plan:\n" + explained,
                explained.lines().dropWhile(l -> !l.startsWith("Policy: ")).skip(1).count() > 1);

        Model model = models.load("cls-sac", file);
        String input = model.graph().inputs().get(0).name();
        OrtReferences references = OrtReferences.classifier(input, 4, 1e-5);
        RunOptions bySac = RunOptions.withPolicy("sac", Map.of());
        ConcurrentLinkedQueue<String> plannedBy = new ConcurrentLinkedQueue<>();
        CheckedLoad load = CheckedLoad.start("SacPolicyFeatureTest", 1, Long.MAX_VALUE, references, c -> in -> {
            InferenceResult r = inference.infer(model.id(), in, bySac);
            plannedBy.add(r.plan().policy());
            return r.outputs().values().iterator().next().toFloatArray();
        });
        StoppedBundles stopped = StoppedBundles.listen(context);
        Bundle sac = bundle(SAC);
        assertNotNull(SAC + " is installed", sac);
        try {
            load.awaitCorrect(5, "requests planned by sac");
            sac.stop();
            Distribution.waitFor("the sac policy gone", () -> !policyRegistered("sac"));
            load.awaitCorrect(5, "requests served while sac is away");
            sac.start();
            Distribution.waitFor("the sac policy back", () -> policyRegistered("sac"));
            sac.update();
            Distribution.waitFor(SAC + " active after update", () -> sac.getState() == Bundle.ACTIVE);
            Distribution.waitFor("the sac policy back after the update", () -> policyRegistered("sac"));
            plannedBy.clear();
            Distribution.waitFor("a request planned by sac after the update", () -> plannedBy.contains("sac"));
        } finally {
            load.stopAndJoin();
            stopped.close();
        }
        load.assertNoneFailedLostOrWrong();
        assertEquals("only the sac bundle stopped (stop, update): " + stopped.names(), List.of(SAC, SAC),
                stopped.names());
    }

    private boolean policyRegistered(String name) {
        try {
            return context.getServiceReferences("org.sparoa.api.SchedulingPolicy", "(sparoa.policy=" + name + ")")
                    != null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private String execute(String command) throws Exception {
        return Distribution.execute(sessionFactory, command);
    }
}
