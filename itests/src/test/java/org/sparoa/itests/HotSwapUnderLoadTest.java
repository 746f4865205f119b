package org.sparoa.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import javax.inject.Inject;
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
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;
import org.sparoa.api.DeviceBackend;
import org.sparoa.api.InferenceResult;
import org.sparoa.api.InferenceService;
import org.sparoa.api.Model;
import org.sparoa.api.ModelRegistry;
import org.sparoa.api.RunOptions;
import org.sparoa.api.SchedulingPolicy;
import org.sparoa.api.SegmentPlan;

/**
 * Hot swap under load, against the built distribution: while two clients send requests without pause (one with the
 * default policy, one with a multi-segment plan over every live backend), a backend bundle is installed, the default
 * policy is switched, a third-party policy arrives through {@code deploy/} and is updated to a new version, and a
 * backend holding segments of in-flight requests is stopped. No request may fail, every output must equal plain ONNX
 * Runtime's, the newcomers must serve the requests scheduled after them, and no other bundle may restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotSwapUnderLoadTest {
    @Rule
    public final HangGuard hangGuard = HangGuard.minutes(10);


    private static final String SPARSE = "org.sparoa.backend.sparse";
    private static final String EXAMPLE = "org.sparoa.policy.example";

    @Inject
    private BundleContext context;

    @Inject
    private InferenceService inference;

    @Inject
    private ModelRegistry models;

    @Inject
    private ConfigurationAdmin configAdmin;

    @Configuration
    public Option[] config() throws IOException {
        // the deploy/ folder is polled; a short interval keeps the wait for the dropped policy short
        return Distribution.options(
                editConfigurationFilePut("etc/org.apache.felix.fileinstall-deploy.cfg", "felix.fileinstall.poll", "300"));
    }

    @Test
    public void swappingBackendsAndPoliciesUnderLoadLosesNoRequestAndChangesNoOutput() throws Exception {
        Distribution.waitFor("the ort-cpu backend", () -> backendRegistered("ort-cpu"));
        String version = System.getProperty("sparoa.itest.version");
        Path modelFile = OrtReferences.classifier();
        Model model = models.load("cls-hotswap", modelFile);
        String input = model.graph().inputs().get(0).name();
        OrtReferences references = OrtReferences.classifier(input, 4, 1e-5);

        // start from a platform without the sparse backend, so that it arrives under load
        Bundle booted = bundle(SPARSE);
        if (booted != null) {
            booted.uninstall();
        }
        Distribution.waitFor("sparse-cpu gone", () -> !backendRegistered("sparse-cpu"));
        setDefaultPolicy("first-capable");

        Set<Long> touched = new java.util.HashSet<>();
        List<String> restarted = new ArrayList<>();
        BundleListener watcher = event -> {
            if (event.getType() == BundleEvent.STOPPED && !touched.contains(event.getBundle().getBundleId())
                    && !isTouched(event.getBundle())) {
                restarted.add(event.getBundle().getSymbolicName());
            }
        };
        context.addBundleListener(watcher);

        Client byDefault = new Client("default-policy", model.id(), RunOptions.defaults(), references);
        Client spread = new Client("partition", model.id(),
                RunOptions.withPolicy("partition", Map.of("segments", "6")), references);
        try {
            Distribution.waitFor("both clients served", () -> byDefault.served() > 3 && spread.served() > 3);

            // 1. a new backend bundle, installed while requests run, serves the next scheduled requests
            long afterInstall = System.nanoTime();
            Bundle sparse = context.installBundle("mvn:org.sparoa/" + SPARSE + "/" + version);
            touched.add(sparse.getBundleId());
            sparse.start();
            Distribution.waitFor("sparse-cpu registered", () -> backendRegistered("sparse-cpu"));
            Distribution.waitFor("a request scheduled after the install runs segments on sparse-cpu",
                    () -> spread.sawAfter(afterInstall, o -> o.backends().contains("sparse-cpu")));

            // 2. the default policy switched through ConfigAdmin: the next default request uses it
            long afterSwitch = System.nanoTime();
            setDefaultPolicy("partition");
            Distribution.waitFor("a default request planned by partition",
                    () -> byDefault.sawAfter(afterSwitch, o -> o.policy().equals("partition") && o.fallback() == null));

            // 3. a third-party policy dropped into deploy/ is picked up and serves its requests
            Path deploy = Paths.get(System.getProperty("karaf.home"), "deploy");
            Files.createDirectories(deploy);
            byte[] exampleJar = read(new URL("mvn:org.sparoa/" + EXAMPLE + "/" + version));
            Path dropped = deploy.resolve(EXAMPLE + ".jar");
            Files.write(dropped.resolveSibling(EXAMPLE + ".tmp"), exampleJar);
            Files.move(dropped.resolveSibling(EXAMPLE + ".tmp"), dropped, StandardCopyOption.ATOMIC_MOVE);
            Distribution.waitFor("the example policy registered from deploy/", () -> policyRegistered("example"));
            Bundle example = bundle(EXAMPLE);
            touched.add(example.getBundleId());
            long afterDeploy = System.nanoTime();
            setDefaultPolicy("example");
            Distribution.waitFor("a default request planned by the example policy",
                    () -> byDefault.sawAfter(afterDeploy, o -> o.policy().equals("example") && o.fallback() == null));

            // 4. the policy bundle updated in place to a new version: its new service plans the next requests
            Version before = example.getVersion();
            Version next = new Version(before.getMajor(), before.getMinor(), before.getMicro() + 1,
                    before.getQualifier());
            long servicesBefore = policyServiceId("example");
            long afterUpdate = System.nanoTime();
            example.update(new ByteArrayInputStream(withBundleVersion(exampleJar, next)));
            Distribution.waitFor("example policy " + next + " registered",
                    () -> policyRegistered("example") && policyServiceId("example") != servicesBefore);
            assertEquals(next, bundle(EXAMPLE).getVersion());
            Distribution.waitFor("a default request planned by the updated example policy",
                    () -> byDefault.sawAfter(afterUpdate, o -> o.policy().equals("example") && o.fallback() == null));

            // 5. a backend holding segments of in-flight requests stops: they finish on what remains
            Distribution.waitFor("requests in flight on sparse-cpu", () -> spread.sawAfter(System.nanoTime() - 1_000_000_000L,
                    o -> o.backends().contains("sparse-cpu")));
            sparse.stop();
            long afterStop = System.nanoTime();
            Distribution.waitFor("requests after the stop served without sparse-cpu",
                    () -> spread.sawAfter(afterStop, o -> !o.backends().contains("sparse-cpu")));
            long servedAfterStop = spread.served() + byDefault.served();
            Distribution.waitFor("more requests served after the stop", () -> spread.served() + byDefault.served()
                    > servedAfterStop + 10);
        } finally {
            byDefault.stop();
            spread.stop();
            context.removeBundleListener(watcher);
            setDefaultPolicy("first-capable");
            Files.deleteIfExists(Paths.get(System.getProperty("karaf.home"), "deploy", EXAMPLE + ".jar"));
        }

        for (Client c : List.of(byDefault, spread)) {
            c.load.assertNoneFailedLostOrWrong();
            assertTrue(c.name + " served requests", c.served() > 20);
        }
        assertTrue("bundles restarted that were not swapped: " + restarted, restarted.isEmpty());
    }

    // ---------------------------------------------------------------- the clients

    private record Observation(long startNanos, String policy, String fallback, Set<String> backends) {
    }

    /** One client sending requests back to back until stopped, each checked against plain ONNX Runtime. */
    private final class Client {
        private final String name;
        private final ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
        private final CheckedLoad load;

        Client(String name, String modelId, RunOptions options, OrtReferences references) {
            this.name = name;
            this.load = CheckedLoad.start("HotSwapUnderLoadTest " + name, 1, Long.MAX_VALUE, references, c -> in -> {
                long start = System.nanoTime();
                InferenceResult r = inference.infer(modelId, in, options);
                seen.add(new Observation(start, r.plan().policy(), r.plan().fallbackReason(),
                        r.plan().segments().stream().map(SegmentPlan::backendId).collect(Collectors.toSet())));
                return r.outputs().values().iterator().next().toFloatArray();
            });
        }

        long served() {
            return load.answered();
        }

        boolean sawAfter(long mark, java.util.function.Predicate<Observation> what) {
            return seen.stream().anyMatch(o -> o.startNanos() > mark && what.test(o));
        }

        void stop() throws InterruptedException {
            load.stopAndJoin();
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean isTouched(Bundle b) {
        return SPARSE.equals(b.getSymbolicName()) || EXAMPLE.equals(b.getSymbolicName());
    }

    private void setDefaultPolicy(String name) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration("org.sparoa.engine", "?");
        Dictionary<String, Object> props = Optional.ofNullable(c.getProperties()).orElseGet(Hashtable::new);
        props.put("defaultPolicy", name);
        c.update(props);
    }

    private boolean backendRegistered(String id) throws Exception {
        return !context.getServiceReferences(DeviceBackend.class, "(sparoa.backend.id=" + id + ")").isEmpty();
    }

    private boolean policyRegistered(String name) throws Exception {
        return !context.getServiceReferences(SchedulingPolicy.class, "(sparoa.policy=" + name + ")").isEmpty();
    }

    private long policyServiceId(String name) throws Exception {
        return context.getServiceReferences(SchedulingPolicy.class, "(sparoa.policy=" + name + ")").stream()
                .map(r -> (Long) r.getProperty("service.id")).filter(Objects::nonNull).findFirst().orElse(-1L);
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst().orElse(null);
    }

    private static byte[] read(URL url) throws IOException {
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        }
    }

    /** The same jar with another Bundle-Version: a new version of the bundle, as a release would ship it. */
    private static byte[] withBundleVersion(byte[] jar, Version version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version.toString());
            try (JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    jarOut.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(jarOut);
                    jarOut.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }
}
