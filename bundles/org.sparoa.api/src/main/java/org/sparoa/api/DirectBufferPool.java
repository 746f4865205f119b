package org.sparoa.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;

/**
 * For backend writers: direct buffers for the tensors a backend hands to the next segment of a plan, reused once the
 * engine says a tensor is used up ({@link CompiledSegment#recycle}): a fresh 1 MiB direct buffer costs about half a
 * millisecond (zeroing and first-touch page faults) where copying 1 MiB into a warm one costs about 25 us, and
 * direct memory is freed only after a garbage collection. A buffer is reused only when the tensor that was handed
 * out over it comes back; the last {@link #TRACKED} hand-outs are remembered, older ones are left to the garbage
 * collector. Free buffers are kept per exact size, up to a bound in bytes. Thread-safe.
 */
public final class DirectBufferPool {
    /** Hand-outs remembered for recycling: a few concurrent requests' boundary tensors. */
    public static final int TRACKED = 256;
    /** 256 MiB. */
    public static final long DEFAULT_MAX_RETAINED_BYTES = 256L << 20;

    private record HandOut(Tensor tensor, ByteBuffer root) {
    }

    private final long maxRetainedBytes;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    private final ArrayDeque<HandOut> out = new ArrayDeque<>();
    private long retained;

    public DirectBufferPool(long maxRetainedBytes) {
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /** A little-endian direct buffer of exactly {@code bytes} bytes (position 0, limit {@code bytes}), contents undefined. */
    public ByteBuffer take(int bytes) {
        synchronized (this) {
            for (Iterator<ByteBuffer> it = free.iterator(); it.hasNext(); ) {
                ByteBuffer b = it.next();
                if (b.capacity() == bytes) {
                    it.remove();
                    retained -= bytes;
                    return b.clear().order(ByteOrder.LITTLE_ENDIAN);
                }
            }
        }
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Takes back a buffer from {@link #take} that nothing references any more. */
    public void give(ByteBuffer root) {
        synchronized (this) {
            if (retained + root.capacity() <= maxRetainedBytes) {
                free.addFirst(root);
                retained += root.capacity();
            }
        }
    }

    /** The tensor over {@code root} (from {@link #take}), remembered so that {@link #recycle} can reuse it. */
    public Tensor handOut(DataType type, long[] shape, ByteBuffer root) {
        Tensor t = Tensor.wrap(type, shape, root.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN));
        synchronized (this) {
            out.addLast(new HandOut(t, root));
            if (out.size() > TRACKED) {
                out.removeFirst();
            }
        }
        return t;
    }

    /** Reuses the buffers of the tensors among {@code used} that this pool handed out; ignores the others. */
    public void recycle(Collection<Tensor> used) {
        for (Tensor t : used) {
            ByteBuffer root = null;
            synchronized (this) {
                for (Iterator<HandOut> it = out.descendingIterator(); it.hasNext(); ) {
                    HandOut h = it.next();
                    if (h.tensor == t) {
                        it.remove();
                        root = h.root;
                        break;
                    }
                }
            }
            if (root != null) {
                give(root);
            }
        }
    }

    public synchronized long retainedBytes() {
        return retained;
    }
}
