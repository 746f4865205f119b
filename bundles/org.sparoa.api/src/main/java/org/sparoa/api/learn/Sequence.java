package org.sparoa.api.learn;

import java.util.Objects;

/**
 * One training example: per step ({@code [length][..]}) the features, the targets in [0, 1] and the targets'
 * weights (0 where a target is unknown: it then costs nothing).
 */
public record Sequence(float[][] features, float[][] targets, float[][] weights) {

    public Sequence {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(weights, "weights");
        if (features.length == 0 || targets.length != features.length || weights.length != features.length) {
            throw new IllegalArgumentException("a sequence needs as many target and weight rows as feature rows (and "
                    + "at least one), got " + features.length + ", " + targets.length + ", " + weights.length);
        }
    }

    public int length() {
        return features.length;
    }
}
