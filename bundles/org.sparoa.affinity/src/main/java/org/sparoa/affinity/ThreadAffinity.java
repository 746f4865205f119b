package org.sparoa.affinity;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * Pins the calling thread to a {@link CpuSet}, through Linux's {@code sched_setaffinity} (JNA over the C library).
 * Only the calling thread changes: the rest of the process keeps its CPUs. Where the call cannot be made (another
 * operating system, a C library JNA cannot bind) {@link #unavailableReason()} says why, and
 * {@link #pinCurrentThread} and {@link #check} throw with that reason; nothing here fails silently.
 *
 * <p>It also keeps what {@link CpuSetLoad} needs to tell this process's work on a CPU from another application's: the
 * threads pinned for good (by their Linux thread id), and the CPU time that threads which are not pinned spent in
 * {@link #callPinned} on each CPU.
 */
public final class ThreadAffinity {

    private ThreadAffinity() {
    }

    /** The C library's affinity calls; {@code pid} 0 is the calling thread. */
    interface LibC extends Library {
        int sched_setaffinity(int pid, NativeLong cpusetsize, long[] mask) throws LastErrorException;

        int sched_getaffinity(int pid, NativeLong cpusetsize, long[] mask) throws LastErrorException;

        int getpid();
    }

    /** Loaded on first use: the library, or why there is none. */
    private static final class Holder {
        static final LibC LIBC;
        static final String UNAVAILABLE;

        static {
            LibC lib = null;
            String why = null;
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (!os.contains("linux")) {
                why = "CPU affinity is implemented for Linux only, this is " + System.getProperty("os.name");
            } else {
                try {
                    lib = Native.load("c", LibC.class);
                } catch (LinkageError | RuntimeException e) {
                    why = "the C library could not be bound through JNA: " + e;
                }
            }
            LIBC = lib;
            UNAVAILABLE = why;
        }
    }

    private static final NativeLong MASK_BYTES = new NativeLong(CpuSet.MAX_CPUS / 8);

    /** Threads pinned for good by {@link #pinCurrentThread}, by Linux thread id; a thread given all back leaves. */
    private static final Map<Long, CpuSet> PINNED = new ConcurrentHashMap<>();
    /** CPU time of {@link #callPinned} per thread id, on threads that are not pinned for good. */
    private static final Map<Long, AtomicLong> PINNED_CALL_NANOS = new ConcurrentHashMap<>();
    /** The same time per CPU (a call on a set of n CPUs counts 1/n of its time on each). */
    private static final AtomicLongArray PINNED_CALL_NANOS_PER_CPU = new AtomicLongArray(CpuSet.MAX_CPUS);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** The calling thread's Linux thread id ({@code /proc/thread-self}), -1 where it cannot be read. */
    private static final ThreadLocal<Long> TID = ThreadLocal.withInitial(ThreadAffinity::readTid);

    /** Null where threads can be pinned here, else why not. */
    public static String unavailableReason() {
        return Holder.UNAVAILABLE;
    }

    /** The CPUs the calling thread may run on now. */
    public static CpuSet ofCurrentThread() {
        return get(0);
    }

    /**
     * The CPUs this process may run on: those of its main thread, which is what {@code taskset} or a cgroup gave the
     * process (a pinned worker thread of its own has fewer).
     */
    public static CpuSet ofProcess() {
        return get(libc().getpid());
    }

    private static CpuSet get(int pid) {
        long[] mask = new long[CpuSet.MAX_CPUS / 64];
        try {
            libc().sched_getaffinity(pid, MASK_BYTES, mask);
        } catch (LastErrorException e) {
            throw new IllegalStateException("sched_getaffinity failed: errno " + e.getErrorCode(), e);
        }
        return CpuSet.ofMask(mask);
    }

    /**
     * Pins the calling thread to {@code cpus}: from now on it runs only there (and threads it starts inherit the set).
     *
     * @throws IllegalStateException naming the set and the reason, where the kernel refuses (a CPU this process may
     *                               not use) or affinity is not available here
     */
    public static void pinCurrentThread(CpuSet cpus) {
        setAffinity(cpus);
        long tid = TID.get();
        if (tid >= 0) {
            if (cpus.equals(ofProcess())) {
                PINNED.remove(tid);
            } else {
                PINNED.put(tid, cpus);
            }
        }
    }

    private static void setAffinity(CpuSet cpus) {
        try {
            libc().sched_setaffinity(0, MASK_BYTES, cpus.mask());
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot pin thread '" + Thread.currentThread().getName() + "' to CPUs "
                    + cpus + ": sched_setaffinity failed with errno " + e.getErrorCode()
                    + (e.getErrorCode() == 22 ? " (EINVAL: none of them is a CPU this process may use)" : ""), e);
        }
    }

    /**
     * Pins the calling thread to {@code cpus} as {@link #pinCurrentThread} does, except that where the kernel refuses
     * the thread stays where it was and {@code refused} is told why: for a backend's own threads, which should go on
     * working unpinned rather than die (the set was {@link #check checked} when the backend started).
     */
    public static void pinCurrentThreadOrReport(CpuSet cpus, java.util.function.Consumer<String> refused) {
        try {
            pinCurrentThread(cpus);
        } catch (RuntimeException e) {
            refused.accept(e.getMessage());
        }
    }

    /**
     * Runs {@code work} on the calling thread pinned to {@code cpus}, and gives the thread its own CPUs back after it:
     * for a backend whose segments may run on a caller's thread (a synchronous request). Costs two or three system
     * calls (a few microseconds) where the thread is not on {@code cpus} already, one where it is. The thread's CPU
     * time during the call is counted on {@code cpus} for {@link CpuSetLoad} (two reads of the thread's CPU clock).
     *
     * @throws IllegalStateException where the kernel refuses the set (the work is then not run)
     */
    public static <T> T callPinned(CpuSet cpus, java.util.function.Supplier<T> work) {
        CpuSet own = ofCurrentThread();
        if (own.equals(cpus)) {
            return work.get();
        }
        setAffinity(cpus);
        long start = THREADS.getCurrentThreadCpuTime();
        try {
            return work.get();
        } finally {
            countPinnedCall(cpus, THREADS.getCurrentThreadCpuTime() - start);
            setAffinity(own);
        }
    }

    private static void countPinnedCall(CpuSet cpus, long nanos) {
        long tid = TID.get();
        if (nanos <= 0 || tid < 0 || PINNED.containsKey(tid)) {
            return; // a thread pinned for good is counted on its set already
        }
        PINNED_CALL_NANOS.computeIfAbsent(tid, k -> new AtomicLong()).addAndGet(nanos);
        int[] ids = cpus.ids();
        for (int id : ids) {
            PINNED_CALL_NANOS_PER_CPU.addAndGet(id, nanos / ids.length);
        }
    }

    /** The set thread {@code tid} of this process is pinned to for good, or null. */
    static CpuSet pinnedSet(long tid) {
        return PINNED.get(tid);
    }

    /** CPU time thread {@code tid} spent in {@link #callPinned} so far (0 for none). */
    static long pinnedCallNanos(long tid) {
        AtomicLong n = PINNED_CALL_NANOS.get(tid);
        return n == null ? 0 : n.get();
    }

    /** CPU time spent in {@link #callPinned} so far on CPU {@code cpu}. */
    static long pinnedCallNanosOnCpu(int cpu) {
        return cpu >= 0 && cpu < CpuSet.MAX_CPUS ? PINNED_CALL_NANOS_PER_CPU.get(cpu) : 0;
    }

    /** Forgets threads that have ended (those not in {@code alive}): the records stay as many as the threads. */
    static void forgetAllBut(java.util.Set<Long> alive) {
        PINNED.keySet().retainAll(alive);
        PINNED_CALL_NANOS.keySet().retainAll(alive);
    }

    private static long readTid() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // PID/task/TID
            return Long.parseLong(link.substring(link.lastIndexOf('/') + 1));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Checks, before any thread is started, that threads can be pinned to {@code cpus} here: affinity is available
     * and every CPU of the set is one this process may use.
     *
     * @param owner what asks, for the message (e.g. {@code "ort-cpu: cpus"})
     * @throws IllegalArgumentException naming the CPUs this process cannot use, or why affinity is unavailable
     */
    public static void check(String owner, CpuSet cpus) {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalArgumentException(owner + " = " + cpus + " cannot be applied: " + why);
        }
        CpuSet allowed = ofProcess();
        CpuSet outside = cpus.minus(allowed);
        if (outside != null) {
            throw new IllegalArgumentException(owner + " = " + cpus + ": CPU(s) " + outside + " are not among this "
                    + "process's CPUs " + allowed);
        }
    }

    private static LibC libc() {
        String why = unavailableReason();
        if (why != null) {
            throw new IllegalStateException(why);
        }
        return Holder.LIBC;
    }
}
