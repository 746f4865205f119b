package org.sparoa.ml.internal;

import java.nio.file.Path;
import java.util.Map;

import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.factory.Nd4j;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.learn.AgentSpec;
import org.sparoa.api.learn.NetworkSpec;
import org.sparoa.api.learn.SequenceNetwork;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;

/**
 * The embedded ND4J runtime, registered as {@link SequenceNetworks} and {@link SoftActorCritics}. Activation applies the class-loader fix before
 * any ND4J class is touched (ND4J's class loader and the thread's context class loader are this bundle's) and points
 * JavaCPP's native cache under {@code ${karaf.data}/javacpp} instead of {@code ~/.javacpp/cache}. The natives load
 * lazily, on the first network or agent made: a platform that never trains or predicts pays nothing for them.
 */
@Component(service = {SequenceNetworks.class, SoftActorCritics.class}, configurationPid = Nd4jRuntime.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = MlConfig.class)
public class Nd4jRuntime implements SequenceNetworks, SoftActorCritics {
    public static final String PID = "org.sparoa.ml";
    static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";
    static final String MAX_PHYSICAL_BYTES_PROPERTY = "org.bytedeco.javacpp.maxphysicalbytes";
    private static final Logger LOG = LoggerFactory.getLogger(Nd4jRuntime.class);

    private final int threads;
    private final Nd4jThread nd4jThread = new Nd4jThread();
    private volatile boolean initialised;

    @Activate
    public Nd4jRuntime(MlConfig config) {
        this(config.threads());
        String karafData = System.getProperty("karaf.data");
        if (karafData != null && System.getProperty(CACHE_DIR_PROPERTY) == null) {
            System.setProperty(CACHE_DIR_PROPERTY, Path.of(karafData, "javacpp").toString());
        }
        ND4JClassLoading.setNd4jClassloader(ContextLoader.bundleLoader());
        LOG.info("ND4J runtime ready ({} thread(s)); natives load on first use, cached in {}", threads,
                System.getProperty(CACHE_DIR_PROPERTY, "~/.javacpp/cache"));
    }

    private Nd4jRuntime(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("org.sparoa.ml threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        // JavaCPP reads the process's resident size on every native allocation to enforce a limit on physical
        // memory; for the many small arrays of an agent's update that costs more than the arithmetic. The limit on
        // the bytes JavaCPP itself allocates (maxbytes) still holds. Must be set before JavaCPP's Pointer loads.
        if (System.getProperty(MAX_PHYSICAL_BYTES_PROPERTY) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES_PROPERTY, "0");
        }
    }

    public static Nd4jRuntime standalone(int threads) {
        return new Nd4jRuntime(threads);
    }

    @Override
    public SequenceNetwork create(NetworkSpec spec, long seed, double learningRate) {
        return ContextLoader.call(() -> {
            initialise();
            return new TransformerLstmNetwork(spec, TransformerLstmGraph.randomWeights(spec, seed), learningRate,
                    nd4jThread);
        });
    }

    @Override
    public SequenceNetwork restore(NetworkSpec spec, Map<String, float[]> weights, double learningRate) {
        return ContextLoader.call(() -> {
            initialise();
            return new TransformerLstmNetwork(spec, weights, learningRate, nd4jThread);
        });
    }

    @Override
    public SoftActorCritic create(AgentSpec spec, long seed) {
        requireSpec(spec);
        return ContextLoader.call(() -> {
            initialise();
            return new SoftActorCriticAgent(spec, SacWeights.randomWeights(spec, seed), nd4jThread);
        });
    }

    /** The agent has no randomness of its own after its weights are set: {@code seed} is not used. */
    @Override
    public SoftActorCritic restore(AgentSpec spec, Map<String, float[]> weights, long seed) {
        requireSpec(spec);
        Map<String, float[]> checked = SacWeights.checkedWeights(spec, weights);
        return ContextLoader.call(() -> {
            initialise();
            return new SoftActorCriticAgent(spec, checked, nd4jThread);
        });
    }

    private static void requireSpec(AgentSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("an agent needs a spec, got none");
        }
    }

    @Override
    public String describe() {
        return "ND4J " + (initialised ? Nd4j.getBackend().getClass().getSimpleName() : "(natives not loaded yet)")
                + ", " + threads + " thread(s)";
    }

    /** Ends the networks' ND4J thread (a step in progress finishes first). */
    @Deactivate
    public void deactivate() {
        nd4jThread.close();
    }

    private synchronized void initialise() {
        if (!initialised) {
            ND4JClassLoading.setNd4jClassloader(ContextLoader.bundleLoader());
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
            LOG.info("ND4J backend {} loaded, {} thread(s)", Nd4j.getBackend().getClass().getSimpleName(), threads);
            initialised = true;
        }
    }
}
