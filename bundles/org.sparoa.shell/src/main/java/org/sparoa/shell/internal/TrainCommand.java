package org.sparoa.shell.internal;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.sparoa.api.learn.Trainable;

/**
 * Trains whatever a bundle offers as a {@link Trainable} (the threshold predictor, the SAC scheduler, a third-party
 * policy's model), by name, with a progress line; Ctrl-C cancels and saves nothing.
 */
@Service
@Command(scope = "sparoa", name = "train",
        description = "Trains a learned component by name (sparoa:train with no name lists them): e.g. 'predictor "
                + "--data DATA.jsonl' or 'sac MODEL... --episodes N'. What it trained is saved atomically as the "
                + "next version under ${karaf.data}/sparoa/ and picked up by the running service")
public class TrainCommand implements Action {

    @Reference
    private BundleContext context;

    @Argument(index = 0, name = "what", description = "What to train (a registered trainable, e.g. predictor, sac)")
    private String what;

    @Argument(index = 1, name = "arguments", description = "Its arguments (e.g. model files or ids)",
            multiValued = true)
    private List<String> arguments = new ArrayList<>();

    @Option(name = "--data", description = "Data set file (predictor)")
    private String data;

    @Option(name = "--epochs", description = "Most epochs (predictor)")
    private String epochs;

    @Option(name = "--patience", description = "Stop after this many epochs without a lower validation loss")
    private String patience;

    @Option(name = "--members", description = "Networks in the ensemble, seeds S to S+K-1 (predictor)")
    private String members;

    @Option(name = "--episodes", description = "Training episodes (sac)")
    private String episodes;

    @Option(name = "--seed", description = "Seed of the split, the order and the initial weights")
    private String seed;

    @Option(name = "--out", description = "Where to write the reward curve or report")
    private String out;

    @Option(name = "--leave-model-out", description = "Evaluate: one fold per real model (predictor)")
    private boolean leaveModelOut;

    @Override
    public Object execute() throws Exception {
        Map<String, ServiceReference<Trainable>> trainables = trainables();
        if (what == null) {
            System.out.println(trainables.isEmpty() ? "Nothing to train: no bundle offers a trainable"
                    : "Trainable:" + describe(trainables));
            return null;
        }
        ServiceReference<Trainable> ref = trainables.get(what);
        if (ref == null) {
            throw new IllegalArgumentException("nothing named '" + what + "' to train; installed: "
                    + (trainables.isEmpty() ? "none" : String.join(", ", trainables.keySet())));
        }
        Trainable trainable = context.getService(ref);
        if (trainable == null) {
            throw new IllegalStateException("'" + what + "' left while sparoa:train was starting");
        }
        try {
            List<String> positional = new ArrayList<>();
            Map<String, String> options = options();
            options.putAll(trailingOptions(arguments, positional));
            for (String o : options.keySet()) {
                if (!trainable.options().contains(o)) {
                    throw new IllegalArgumentException("sparoa:train " + what + " does not take --" + o + "; it takes "
                            + (trainable.options().isEmpty() ? "no options"
                                    : "--" + String.join(", --", trainable.options().stream().sorted().toList())));
                }
            }
            ProgressLine progress = new ProgressLine(System.out);
            List<String> summary = trainable.train(positional, options, progress,
                    () -> Thread.currentThread().isInterrupted());
            progress.end();
            summary.forEach(System.out::println);
        } finally {
            context.ungetService(ref);
        }
        return null;
    }

    private Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        put(o, "data", data);
        put(o, "epochs", epochs);
        put(o, "patience", patience);
        put(o, "members", members);
        put(o, "episodes", episodes);
        put(o, "seed", seed);
        put(o, "out", out);
        if (leaveModelOut) {
            o.put("leave-model-out", "true");
        }
        return o;
    }

    /** Flags: options that take no value. */
    private static final java.util.Set<String> FLAGS = java.util.Set.of("leave-model-out");

    /**
     * The options among the arguments: Karaf's parser takes everything after the first argument as arguments, so
     * {@code sparoa:train predictor --data D} reaches here as arguments; {@code --name value}, {@code --name=value}
     * and the flags are options, the rest are the trainable's arguments (into {@code positional}).
     */
    static Map<String, String> trailingOptions(List<String> arguments, List<String> positional) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                positional.add(a);
                continue;
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq > 0) {
                o.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (FLAGS.contains(name)) {
                o.put(name, "true");
            } else if (i + 1 < arguments.size()) {
                o.put(name, arguments.get(++i));
            } else {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
        }
        return o;
    }

    private static void put(Map<String, String> o, String name, String value) {
        if (value != null) {
            o.put(name, value);
        }
    }

    private Map<String, ServiceReference<Trainable>> trainables() throws InvalidSyntaxException {
        Map<String, ServiceReference<Trainable>> out = new TreeMap<>();
        for (ServiceReference<Trainable> r : context.getServiceReferences(Trainable.class, null)) {
            Object name = r.getProperty(Trainable.PROP_NAME);
            if (name != null) {
                out.merge(name.toString(), r, (a, b) -> a.compareTo(b) >= 0 ? a : b); // the higher-ranked one
            }
        }
        return out;
    }

    private String describe(Map<String, ServiceReference<Trainable>> trainables) {
        StringBuilder s = new StringBuilder();
        trainables.forEach((name, ref) -> {
            Trainable t = context.getService(ref);
            if (t != null) {
                try {
                    s.append(System.lineSeparator()).append("  ").append(name).append(": ").append(t.description());
                } finally {
                    context.ungetService(ref);
                }
            }
        });
        return s.toString();
    }

    /**
     * The current stage as one line redrawn in place, with the time since the command began and an estimate of what
     * is left of the stage (a trainable's stages repeat, e.g. one per epoch: the estimate is from the stage's own
     * pace, so that it does not grow with every stage that went before).
     */
    static final class ProgressLine implements Trainable.Listener {
        private static final int WIDTH = 24;
        private final PrintStream out;
        private final LongSupplier clock;
        private final long start;
        private String stage;
        private long stageStart;
        private long lastDone;
        private long lastTime;
        private boolean open;

        ProgressLine(PrintStream out) {
            this(out, System::nanoTime);
        }

        /** With {@code clock} giving nanoseconds (for tests). */
        ProgressLine(PrintStream out, LongSupplier clock) {
            this.out = out;
            this.clock = clock;
            this.start = clock.getAsLong();
            this.stageStart = start;
            this.lastTime = start;
        }

        @Override
        public void progress(long done, long total, String stage) {
            long now = clock.getAsLong();
            if (!stage.equals(this.stage) || done < lastDone) {
                // a new stage began when the last step of the one before ended
                this.stage = stage;
                stageStart = lastTime;
            }
            lastDone = done;
            lastTime = now;
            double seconds = (now - start) / 1e9;
            double stageSeconds = (now - stageStart) / 1e9;
            int filled = total <= 0 ? 0 : (int) Math.min(WIDTH, WIDTH * done / total);
            String left = done <= 0 || total <= 0 ? "" : String.format(Locale.ROOT, ", ~%.0f s left",
                    stageSeconds / done * (total - done));
            out.print(String.format(Locale.ROOT, "\r%s [%s%s] %d/%d (%.0f s%s)   ", stage, "=".repeat(filled),
                    " ".repeat(WIDTH - filled), done, total, seconds, left));
            out.flush();
            open = true;
        }

        @Override
        public void line(String text) {
            end();
            out.println(text);
        }

        void end() {
            if (open) {
                out.println();
                open = false;
            }
        }
    }
}
