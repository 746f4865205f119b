package org.sparoa.api.learn;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Something {@code sparoa:train NAME} can train (the threshold predictor, the SAC scheduler, a third-party policy's
 * model): registered as a service with the property {@value #PROP_NAME}. The command passes its arguments after the
 * name and the options the user set (by long name without dashes, e.g. {@code episodes -> "2000"}); a trainable
 * refuses an option it does not take, naming it, and saves what it trained itself (atomically, versioned).
 *
 * @since 1.1
 */
@ConsumerType
public interface Trainable {

    /** Service property: the name {@code sparoa:train} takes. */
    String PROP_NAME = "sparoa.trainable";

    /** Receives progress while training runs; called on the training thread. */
    interface Listener {
        /** {@code done} of {@code total} units (steps, episodes) of the current stage, named by {@code stage}. */
        void progress(long done, long total, String stage);

        /** A line for the user (an epoch's losses, a file written). */
        void line(String text);
    }

    String name();

    /** One line for {@code sparoa:train}'s help and error messages. */
    String description();

    /** The option names it takes (without dashes). */
    Set<String> options();

    /**
     * Trains, reporting to {@code listener}, stopping early (and saving nothing) when {@code cancelled} turns true;
     * returns the summary lines to print. Throws {@link IllegalArgumentException} naming a wrong argument or option.
     */
    List<String> train(List<String> arguments, Map<String, String> options, Listener listener,
                       BooleanSupplier cancelled) throws Exception;
}
