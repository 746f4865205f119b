package org.sparoa.affinity;

import java.util.BitSet;
import java.util.Locale;

/**
 * An immutable, non-empty set of logical CPUs, parsed from and written in Linux's CPU list syntax ({@code 0-3,6}, as in
 * {@code taskset -c}, {@code /proc/self/status} and cgroup cpusets). Ids run from 0 to {@link #MAX_CPUS} - 1.
 */
public final class CpuSet {

    /** The CPUs a set can name: glibc's {@code CPU_SETSIZE}, the size of the masks {@link ThreadAffinity} passes. */
    public static final int MAX_CPUS = 1024;

    private final BitSet cpus;

    private CpuSet(BitSet cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("a CPU set needs at least one CPU");
        }
        this.cpus = (BitSet) cpus.clone();
    }

    /**
     * Parses a CPU list: comma-separated ids and inclusive ranges, e.g. {@code 0}, {@code 2-3}, {@code 0,2-3}. Blanks
     * around the items are ignored.
     *
     * @throws IllegalArgumentException naming the item that is not a CPU id or range, or an id out of range
     */
    public static CpuSet parse(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("a CPU list such as 0-3,6 is needed, got '" + list + "'");
        }
        BitSet cpus = new BitSet();
        for (String item : list.split(",", -1)) {
            String s = item.trim();
            int dash = s.indexOf('-');
            int first = id(list, dash < 0 ? s : s.substring(0, dash));
            int last = dash < 0 ? first : id(list, s.substring(dash + 1));
            if (last < first) {
                throw new IllegalArgumentException("CPU list '" + list + "': range '" + s + "' runs backwards");
            }
            cpus.set(first, last + 1);
        }
        return new CpuSet(cpus);
    }

    /** The set of the given ids. */
    public static CpuSet of(int... ids) {
        BitSet cpus = new BitSet();
        for (int id : ids) {
            cpus.set(checked(id));
        }
        return new CpuSet(cpus);
    }

    private static int id(String list, String s) {
        String t = s.trim();
        if (t.isEmpty() || !t.chars().allMatch(Character::isDigit) || t.length() > 4) {
            throw new IllegalArgumentException("CPU list '" + list + "': '" + s + "' is not a CPU id (0 to "
                    + (MAX_CPUS - 1) + ") or a range of them such as 0-3");
        }
        return checked(Integer.parseInt(t));
    }

    private static int checked(int id) {
        if (id < 0 || id >= MAX_CPUS) {
            throw new IllegalArgumentException("CPU id " + id + " is outside 0.." + (MAX_CPUS - 1));
        }
        return id;
    }

    /** The set whose CPUs are the set bits of {@code mask}, as the kernel's {@code cpu_set_t} (bit i of word i/64). */
    static CpuSet ofMask(long[] mask) {
        return new CpuSet(BitSet.valueOf(mask));
    }

    /** This set as a kernel {@code cpu_set_t} of {@link #MAX_CPUS} bits. */
    long[] mask() {
        long[] words = cpus.toLongArray();
        long[] mask = new long[MAX_CPUS / 64];
        System.arraycopy(words, 0, mask, 0, words.length);
        return mask;
    }

    /** How many CPUs the set has. */
    public int size() {
        return cpus.cardinality();
    }

    /** The ids, ascending. */
    public int[] ids() {
        return cpus.stream().toArray();
    }

    public boolean contains(int id) {
        return id >= 0 && cpus.get(id);
    }

    /** Whether every CPU of {@code other} is in this set. */
    public boolean containsAll(CpuSet other) {
        BitSet rest = (BitSet) other.cpus.clone();
        rest.andNot(cpus);
        return rest.isEmpty();
    }

    /** Whether the two sets have a CPU in common. */
    public boolean overlaps(CpuSet other) {
        return cpus.intersects(other.cpus);
    }

    /** The CPUs of this set that are not in {@code other}, or null when there are none. */
    public CpuSet minus(CpuSet other) {
        BitSet rest = (BitSet) cpus.clone();
        rest.andNot(other.cpus);
        return rest.isEmpty() ? null : new CpuSet(rest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuSet other && cpus.equals(other.cpus);
    }

    @Override
    public int hashCode() {
        return cpus.hashCode();
    }

    /** The set in Linux's list syntax, each run of CPUs as a range ({@code 0-3,6}, {@code 0-1}). */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int first = cpus.nextSetBit(0); first >= 0; ) {
            int end = cpus.nextClearBit(first);
            int last = end - 1;
            if (s.length() > 0) {
                s.append(',');
            }
            if (last == first) {
                s.append(first);
            } else {
                s.append(String.format(Locale.ROOT, "%d-%d", first, last));
            }
            first = cpus.nextSetBit(end);
        }
        return s.toString();
    }
}
