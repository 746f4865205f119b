package org.sparoa.shell.internal;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

import org.apache.karaf.shell.api.console.Session;

/**
 * Interrupts a command's thread once the client that started it is gone, so that the command and the request it has
 * in flight stop at their next check. Karaf does not do it for a command sent over SSH as an exec request
 * ({@code bin/client "sparoa:run ..."}, {@code ssh -p 8101 host "sparoa:run ..."}): when that connection drops, the
 * channel closes but the command's thread runs on. A closed channel shows as an error when the session's console is
 * flushed, which is polled a few times a second.
 */
final class ClientWatch implements AutoCloseable {
    static final long POLL_MILLIS = 200;
    private final Thread watcher;
    private volatile boolean gone;

    private ClientWatch(BooleanSupplier clientGone, Thread command) {
        watcher = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    if (clientGone.getAsBoolean()) {
                        gone = true;
                        command.interrupt();
                        return;
                    }
                    Thread.sleep(POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                // closed: the command has finished
            }
        }, "sparoa-client-watch-" + command.getName());
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Watches the session of the calling command thread; a null session (not run from a shell) is never gone. */
    static ClientWatch of(Session session) {
        return new ClientWatch(session == null ? () -> false : () -> closed(session.getConsole()),
                Thread.currentThread());
    }

    /** For tests: a condition in place of a session. */
    static ClientWatch of(BooleanSupplier clientGone) {
        return new ClientWatch(clientGone, Thread.currentThread());
    }

    /**
     * Whether writing to the session's console fails: the sign of a closed channel. (Its input says nothing: the
     * Karaf client sends an exec request's input as already ended.)
     */
    static boolean closed(PrintStream console) {
        return console != null && console.checkError();
    }

    /** Whether this watch interrupted the command because its client left. */
    boolean clientGone() {
        return gone;
    }

    @Override
    public void close() {
        watcher.interrupt();
        try {
            watcher.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (gone) {
            Thread.interrupted(); // the interrupt was for the command that has now stopped, not for its caller
        }
    }
}
