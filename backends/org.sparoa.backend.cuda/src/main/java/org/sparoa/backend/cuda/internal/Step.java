package org.sparoa.backend.cuda.internal;

import java.util.List;

/** One kernel launch of a program: which kernel, its grid, its arguments, and the operator(s) it computes. */
record Step(String operator, Kernel kernel, LaunchConfig config, List<Arg> args) {
    Step {
        args = List.copyOf(args);
    }
}
