package org.sparoa.predictor.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.learn.SequenceNetworks;
import org.sparoa.api.predict.BackendPair;
import org.sparoa.api.predict.OperatorFeatures;
import org.sparoa.api.predict.OperatorThresholds;
import org.sparoa.api.predict.PredictorInfo;
import org.sparoa.api.predict.ThresholdPredictor;
import org.sparoa.predictor.Ensemble;
import org.sparoa.predictor.FeatureEncoder;
import org.sparoa.predictor.PredictorFile;
import org.sparoa.predictor.ThresholdScale;

/**
 * The {@link ThresholdPredictor} service. It answers with the model trained under {@code ${karaf.data}/sparoa/}
 * when there is one, else with the default shipped in the bundle; a newer file (written atomically by
 * {@code sparoa:train predictor}) is picked up by the next prediction (hot reload). A file that cannot be read
 * is logged and the model in use stays.
 */
@Component(service = {ThresholdPredictor.class, LearnedThresholdPredictor.class},
        configurationPid = LearnedThresholdPredictor.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PredictorConfig.class)
public class LearnedThresholdPredictor implements ThresholdPredictor {
    public static final String PID = "org.sparoa.predictor";
    static final String DEFAULT_RESOURCE = "default-predictor.bin";
    private static final Logger LOG = LoggerFactory.getLogger(LearnedThresholdPredictor.class);

    /** A parsed model file; its networks are built on first use (ND4J's natives load then, not at activation). */
    private final class Loaded {
        final PredictorFile model;
        final PredictorInfo info;
        final FileTime modified;
        final long size;
        private Ensemble network;

        Loaded(PredictorFile model, PredictorInfo info, FileTime modified, long size) {
            this.model = model;
            this.info = info;
            this.modified = modified;
            this.size = size;
        }

        synchronized Ensemble network() {
            if (network == null) {
                network = Ensemble.restore(networks, model.spec(), model.members(), 0.001);
            }
            return network;
        }

        /** The ensemble's prediction; one caller at a time, as the networks are not thread-safe. */
        synchronized float[][] predict(float[][] x) {
            return network().predict(x, helpers, threads);
        }

        synchronized boolean built() {
            return network != null;
        }

        synchronized void close() {
            if (network != null) {
                network.close();
            }
        }

        PredictorInfo info() {
            return info;
        }

        FileTime modified() {
            return modified;
        }

        long size() {
            return size;
        }
    }

    private final SequenceNetworks networks;
    private final Path file;
    /** Runs ensemble members beside the caller's thread; null: one member after the other. */
    private final java.util.concurrent.ExecutorService helpers;
    private final int threads;
    private volatile Loaded loaded;
    private final java.util.concurrent.atomic.AtomicBoolean warming = new java.util.concurrent.atomic.AtomicBoolean();

    @Activate
    public LearnedThresholdPredictor(@Reference SequenceNetworks networks, PredictorConfig config) {
        this(networks, config.file().isBlank() ? defaultFile() : Path.of(config.file()), config.threads());
    }

    /** Outside OSGi (tools, tests): the model at {@code file}, else the bundled default; members one at a time. */
    public LearnedThresholdPredictor(SequenceNetworks networks, Path file) {
        this(networks, file, 1);
    }

    /** As above, {@code threads} members predicting at once. */
    public LearnedThresholdPredictor(SequenceNetworks networks, Path file, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("predictor threads must be at least 1, got " + threads);
        }
        this.networks = networks;
        this.file = file;
        this.threads = threads;
        this.helpers = threads == 1 ? null : java.util.concurrent.Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "sparoa-predictor-member");
            t.setDaemon(true);
            return t;
        });
        this.loaded = Files.isRegularFile(file) ? fromFileOrBundled() : bundled();
        LOG.info("Threshold predictor v{} from {} ({} bytes, {} parameters)", loaded.info().version(),
                loaded.info().source(), loaded.info().modelBytes(), loaded.info().parameters());
    }

    static Path defaultFile() {
        return Path.of(System.getProperty("karaf.data", "data"), "sparoa", "predictor", "threshold-predictor.bin");
    }

    public Path file() {
        return file;
    }

    @Deactivate
    public void deactivate() {
        if (helpers != null) {
            // not shutdownNow: a request predicting meanwhile finishes its members' groups (Ensemble runs any group
            // no helper took itself), and then close() below gets the networks
            helpers.shutdown();
        }
        loaded.close();
    }

    @Override
    public List<OperatorThresholds> predict(List<OperatorFeatures> operators, BackendPair pair) {
        if (operators.isEmpty()) {
            return List.of();
        }
        float[][] x = new float[operators.size()][];
        Loaded l = current();
        for (int i = 0; i < x.length; i++) {
            x[i] = FeatureEncoder.encode(operators.get(i), pair,
                    l.model.neighbours().threshold(operators.get(i), pair.id(), null));
        }
        float[][] y = l.predict(x);
        List<OperatorThresholds> out = new ArrayList<>(y.length);
        for (int i = 0; i < y.length; i++) {
            // an operator whose kind has a size rule: the rule decides, not the network
            out.add(new OperatorThresholds(operators.get(i).name(), l.model.sizeBands().thresholdOr(operators.get(i),
                    pair.id(), ThresholdScale.decodeSparsity(y[i][0])), ThresholdScale.decodeIntensity(y[i][1])));
        }
        return out;
    }

    @Override
    public PredictorInfo info() {
        return current().info();
    }

    @Override
    public boolean ready() {
        Loaded l = current();
        if (l.built()) {
            return true;
        }
        if (warming.compareAndSet(false, true)) {
            Thread t = new Thread(() -> {
                try {
                    l.network();
                } catch (RuntimeException | LinkageError e) {
                    LOG.warn("Threshold predictor could not load its network: {}", e.toString());
                } finally {
                    warming.set(false);
                }
            }, "sparoa-predictor-load");
            t.setDaemon(true);
            t.start();
        }
        return false;
    }

    /** The loaded model, reloaded first when the file changed since. */
    private Loaded current() {
        Loaded l = loaded;
        try {
            if (Files.isRegularFile(file)) {
                FileTime m = Files.getLastModifiedTime(file);
                long size = Files.size(file);
                if (!m.equals(l.modified()) || size != l.size()) {
                    synchronized (this) {
                        if (loaded == l) {
                            Loaded fresh = fromFile();
                            loaded = fresh;
                            l.close();
                            LOG.info("Threshold predictor reloaded: v{} from {}", fresh.info().version(), file);
                        }
                        l = loaded;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot reload the threshold predictor from {} ({}); keeping v{}", file, e.getMessage(),
                    l.info().version());
        }
        return l;
    }

    /** A saved model this bundle cannot read (an older format, a damaged file) leaves the bundled one in use. */
    private Loaded fromFileOrBundled() {
        try {
            return fromFile();
        } catch (RuntimeException e) {
            LOG.warn("Cannot use the threshold predictor saved at {} ({}); using the bundled default until a model "
                    + "is trained again", file, e.getMessage());
            Loaded b = bundled();
            try {
                // stamped with the unreadable file's time and size: tried again only once that file changes
                return new Loaded(b.model, b.info, Files.getLastModifiedTime(file), Files.size(file));
            } catch (IOException gone) {
                return b;
            }
        }
    }

    private Loaded fromFile() {
        try {
            FileTime m = Files.getLastModifiedTime(file);
            byte[] bytes = Files.readAllBytes(file);
            return load(PredictorFile.fromBytes(bytes, file.toString()), file.toString(), bytes.length, m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read predictor " + file + ": " + e.getMessage(), e);
        }
    }

    private Loaded bundled() {
        try (InputStream in = LearnedThresholdPredictor.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the bundle lacks its default predictor " + DEFAULT_RESOURCE);
            }
            byte[] bytes = in.readAllBytes();
            return load(PredictorFile.fromBytes(bytes, "bundled " + DEFAULT_RESOURCE), "bundled default",
                    bytes.length, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled predictor: " + e.getMessage(), e);
        }
    }

    private Loaded load(PredictorFile f, String source, long bytes, FileTime modified) {
        return new Loaded(f, new PredictorInfo(f.version(), source, bytes, f.parameters(), f.trainedWith()), modified,
                bytes);
    }
}
