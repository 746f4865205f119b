package org.sparoa.itests;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.util.concurrent.TimeUnit;

import org.junit.rules.TestRule;
import org.junit.rules.Timeout;
import org.junit.runner.Description;
import org.junit.runners.model.Statement;
import org.junit.runners.model.TestTimedOutException;

/**
 * Bounds a Pax Exam test method: one that has not finished after its bound fails, after printing every thread of
 * the Karaf JVM with its whole stack and the locks it holds and waits for. A deadlock in the platform then ends its
 * test class in minutes with the evidence in the build log, instead of holding the build until CI's own limit
 * kills it with nothing to read. The bound is far above any test's normal time: it catches hangs, it times nothing.
 */
public final class HangGuard implements TestRule {
    private final long minutes;

    private HangGuard(long minutes) {
        this.minutes = minutes;
    }

    static HangGuard minutes(long minutes) {
        return new HangGuard(minutes);
    }

    /** JUnit's {@link Timeout} runs the method; on its timeout the thread dump goes to the log first. */
    @Override
    public Statement apply(Statement base, Description description) {
        Statement bounded = Timeout.builder().withTimeout(minutes, TimeUnit.MINUTES).build().apply(base, description);
        return new Statement() {
            @Override
            public void evaluate() throws Throwable {
                try {
                    bounded.evaluate();
                } catch (TestTimedOutException e) {
                    System.out.println(threadDump("HangGuard: " + description.getDisplayName() + " still running after "
                            + minutes + " min; the Karaf JVM's threads:"));
                    AssertionError hang = new AssertionError(description.getDisplayName() + " did not finish within "
                            + minutes + " min (a hang: the thread dump is printed above this failure in the build "
                            + "log)");
                    hang.setStackTrace(e.getStackTrace()); // where the method was when the time ran out
                    throw hang;
                }
            }
        };
    }

    /** Every live thread: name, state, what it waits for and who holds it, its whole stack, the monitors it holds. */
    static String threadDump(String title) {
        StringBuilder out = new StringBuilder(title).append('\n');
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            out.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
            if (t.getLockName() != null) {
                out.append(" on ").append(t.getLockName());
            }
            if (t.getLockOwnerName() != null) {
                out.append(" held by \"").append(t.getLockOwnerName()).append('"');
            }
            out.append('\n');
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i < stack.length; i++) {
                out.append("    at ").append(stack[i]).append('\n');
                for (MonitorInfo m : t.getLockedMonitors()) {
                    if (m.getLockedStackDepth() == i) {
                        out.append("    - locked ").append(m).append('\n');
                    }
                }
            }
            for (LockInfo l : t.getLockedSynchronizers()) {
                out.append("    - holds ").append(l).append('\n');
            }
        }
        long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
        out.append(deadlocked == null ? "no deadlock between monitors or ownable synchronizers found\n"
                : deadlocked.length + " threads deadlocked (see above)\n");
        return out.toString();
    }
}
