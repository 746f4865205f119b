package org.sparoa.predictor.internal.command;

import java.io.PrintStream;

/** A one-line text progress bar redrawn in place: {@code [#####.....] 12/40 what}. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    void show(int done, int total, String what) {
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        out.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + what
                + "   ");
        out.flush();
    }

    void done() {
        out.println();
    }
}
