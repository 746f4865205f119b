package org.sparoa.policy.sac.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparoa.api.learn.SoftActorCritic;
import org.sparoa.api.learn.SoftActorCritics;

/**
 * The agent the policy decides with: restored from the newest weights in the {@link WeightsStore}, else from the
 * weights shipped in the bundle. Deciding needs only the actor: when {@link PlainActor} reads the weights no
 * native agent is built, so a decision never waits for the learning runtime to start (on a loaded 2-core machine
 * that start alone can take longer than a policy's budget). Each {@link #get()} looks at the store again and
 * switches to a newer version (written by {@code sparoa:train sac}); a version that cannot be read or does not fit
 * the encoder is logged once, naming the file and the reason, and the agent in use (or the shipped default) stays.
 * Not thread-safe: the policy serialises its decisions.
 */
final class CurrentAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CurrentAgent.class);

    /** An actor, the native agent behind it when one was needed (else null), and where its weights came from. */
    record Loaded(SoftActorCritic agent, Actor actor, SacWeights weights, String origin, Path file,
                  FileTime modified) {
        void close() {
            if (agent != null) {
                agent.close();
            }
        }
    }

    private final SoftActorCritics agents;
    private final WeightsStore store;
    private Loaded loaded;
    /** The store file (and its time) last refused, so it is logged once. */
    private String refused = "";
    private String problem = "";

    CurrentAgent(SoftActorCritics agents, WeightsStore store) {
        this.agents = agents;
        this.store = store;
    }

    /**
     * The agent to decide with. Throws {@link IllegalStateException} saying why when there are no usable weights
     * (none stored, none shipped, or none for this encoder's slots and state).
     */
    Loaded get() {
        Optional<Path> latest = latest();
        if (latest.isPresent()) {
            Path file = latest.get();
            FileTime modified = modified(file);
            String key = file + "@" + modified;
            boolean current = loaded != null && file.equals(loaded.file()) && modified.equals(loaded.modified());
            if (!current && !key.equals(refused)) {
                try {
                    SacWeights w = WeightsStore.read(file);
                    if (!w.fitsEncoder()) {
                        throw new IOException(file + " was " + w.mismatch());
                    }
                    replace(loaded(w, file.toString(), file, modified));
                    LOG.info("sac: weights {} ({} stored values over actor and critics)", file, storedValues(w));
                    problem = "";
                } catch (IOException | RuntimeException e) {
                    refused = key;
                    problem = e.getMessage();
                    LOG.error("sac: cannot use the weights {}: {}; keeping {}", file, e.getMessage(),
                            loaded != null ? loaded.origin() : "the bundle's default");
                }
            }
        }
        if (loaded == null) {
            try {
                SacWeights w = WeightsStore.shippedDefault();
                if (!w.fitsEncoder()) {
                    throw new IOException("the bundle's default weights were " + w.mismatch());
                }
                replace(loaded(w, "bundle default", null, null));
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("policy sac has no trained weights for " + StateEncoder.SLOTS
                        + " backend slots: " + (problem.isEmpty() ? "" : problem + "; ") + e.getMessage()
                        + " (train with sparoa:train sac)", e);
            }
        }
        return loaded;
    }

    /** Why the newest stored weights were refused, or the empty string. */
    String problem() {
        return problem;
    }

    private Optional<Path> latest() {
        try {
            return store.latest();
        } catch (IOException e) {
            LOG.warn("sac: cannot list {}: {}", store.directory(), e.toString());
            return Optional.empty();
        }
    }

    /** The actor of these weights: in plain Java when the weights are in the form it reads, else the agent's own. */
    private Loaded loaded(SacWeights w, String origin, Path file, FileTime modified) {
        Optional<PlainActor> plain = PlainActor.of(w.spec(), w.weights());
        if (plain.isPresent()) {
            return new Loaded(null, plain.get(), w, origin, file, modified);
        }
        SoftActorCritic agent = agents.restore(w.spec(), w.weights(), 0);
        return new Loaded(agent, Actor.of(agent), w, origin, file, modified);
    }

    private static long storedValues(SacWeights w) {
        return w.weights().values().stream().mapToLong(a -> a.length).sum();
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private void replace(Loaded next) {
        Loaded old = loaded;
        loaded = next;
        if (old != null) {
            old.close();
        }
    }

    @Override
    public void close() {
        if (loaded != null) {
            loaded.close();
            loaded = null;
        }
    }
}
