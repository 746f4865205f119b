package org.sparoa.shell.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class ClientWatchTest {
    /** A command that checks for interruption, as SideBySideRun and the engine do between runs and segments. */
    @Test
    void aClientThatLeavesInterruptsTheCommandThread() {
        AtomicBoolean left = new AtomicBoolean();
        long runs = 0;
        try (ClientWatch watch = ClientWatch.of(left::get)) {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!Thread.currentThread().isInterrupted()) {
                runs++;
                if (runs == 1000) {
                    left.set(true);
                }
                assertTrue(System.nanoTime() < deadline, "the command was not interrupted within 30 s");
                Thread.onSpinWait();
            }
            assertTrue(watch.clientGone());
        }
        assertTrue(runs >= 1000, "interrupted before the client left, after " + runs + " runs");
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt was the command's, not its caller's");
    }

    @Test
    void aClientThatStaysDoesNotInterrupt() throws InterruptedException {
        try (ClientWatch watch = ClientWatch.of(() -> false)) {
            Thread.sleep(3 * ClientWatch.POLL_MILLIS); // three polls that must not interrupt this sleep
            assertFalse(watch.clientGone());
        }
    }

    @Test
    void aConsoleWhoseChannelClosedIsAClientGone() {
        OutputStream closedChannel = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("channel closed");
            }

            @Override
            public void flush() throws IOException {
                throw new IOException("channel closed");
            }
        };
        assertTrue(ClientWatch.closed(new PrintStream(closedChannel)));
        assertFalse(ClientWatch.closed(new PrintStream(new ByteArrayOutputStream())));
        assertFalse(ClientWatch.closed(null));
    }
}
