package io.kubevirt.metrics.gateway.scrape;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The memory that the bodies of all gathers together may take ({@code gateway.scrape.memory-budget};
 * by default half the maximum heap). Each body holds a {@link Lease} that grows with it; a body that
 * would take the total over the budget fails its target (reason {@code memory_budget}) instead of
 * the whole process failing with an OutOfMemoryError. A lease is released when its gather's answer
 * is no longer served (see the expose stage), or at once when its scrape fails.
 *
 * <p>A released body's buffer is kept as its target's <em>spare</em> for the next scrape, which
 * usually needs the same size: bodies are most of what a gather allocates, and a young collection
 * copies every body still in use, so new buffers every gather cost the collector more than
 * reading them costs. Spares stay counted in the budget, and are the first to go when a body
 * needs their room. When even that is not enough, the {@link #reclaimWith reclaimer} is asked to
 * free what answers of older gathers hold, before the body fails. Thread safe.
 */
@ApplicationScoped
public class MemoryBudget {
    private final long limit;
    /** Bytes of the leases and the spares. */
    private final AtomicLong used = new AtomicLong();
    /** Each target's spare buffer, by the key its leases are taken with. */
    private final Map<String, byte[]> spares = new ConcurrentHashMap<>();
    /** Frees leases held by answers of older gathers; true when it freed any. */
    private volatile BooleanSupplier reclaimer = () -> false;

    @Inject
    public MemoryBudget(GatewayConfig config) {
        this(config.scrape().memoryBudget().map(size -> size.asLongValue())
                .orElse(Runtime.getRuntime().maxMemory() / 2));
    }

    MemoryBudget(long limit) {
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }

    /** Bytes held by the leases and the spares now. */
    public long used() {
        return used.get();
    }

    /**
     * Who is asked, when a body finds no room even after the spares are dropped, to release the
     * leases that answers of older gathers hold (the expose stage, which cuts their readers off).
     */
    public void reclaimWith(BooleanSupplier reclaimer) {
        this.reclaimer = reclaimer;
    }

    /** A new, empty lease for a body of the target {@code key} (its spare is kept under that key). */
    public Lease lease(String key) {
        return new Lease(key);
    }

    /** Drops the spares of targets that are gone. */
    void retain(Set<String> keys) {
        spares.forEach((key, spare) -> {
            if (!keys.contains(key)) {
                drop(key, spare);
            }
        });
    }

    /** What the reclaimer freed may have become spares: dropped, then the bytes taken if there is room now. */
    private boolean dropSparesAndTake(long n) {
        dropSpares();
        return take(n);
    }

    /** Drops every spare, so that bodies in use may take their room. */
    private void dropSpares() {
        spares.forEach(this::drop);
    }

    /** Whoever takes a spare out of the map gives its bytes back or takes them over, exactly once. */
    private void drop(String key, byte[] spare) {
        if (spares.remove(key, spare)) {
            used.addAndGet(-spare.length);
        }
    }

    private boolean take(long n) {
        long current;
        do {
            current = used.get();
            if (current + n > limit) {
                return false;
            }
        } while (!used.compareAndSet(current, current + n));
        return true;
    }

    /** One body's share of the budget. */
    public final class Lease {
        private final String key;
        private long bytes;
        private boolean released;

        private Lease(String key) {
            this.key = key;
        }

        /**
         * Takes {@code n} more bytes, making room by dropping the spares, then by the reclaimer, if
         * need be; false (and nothing taken) when that would still exceed the budget.
         */
        synchronized boolean grow(long n) {
            if (released) {
                return false;
            }
            if (!take(n)) {
                dropSpares();
                if (!take(n) && !(reclaimer.getAsBoolean() && dropSparesAndTake(n))) {
                    return false;
                }
            }
            bytes += n;
            return true;
        }

        /** Gives {@code n} of the bytes back (a buffer replaced by a bigger one). */
        synchronized void shrink(long n) {
            if (!released) {
                long given = Math.min(n, bytes);
                bytes -= given;
                used.addAndGet(-given);
            }
        }

        /** The target's spare buffer, if it has one, now part of this lease; null when it has none. */
        synchronized byte[] takeSpare() {
            byte[] spare = released ? null : spares.remove(key);
            if (spare != null) {
                bytes += spare.length; // Counted already: its bytes move from the spares to the lease.
            }
            return spare;
        }

        /** Gives all the bytes back; later calls do nothing. */
        public synchronized void release() {
            if (!released) {
                released = true;
                used.addAndGet(-bytes);
                bytes = 0;
            }
        }

        /**
         * Gives the bytes back but for {@code buffer}'s, which this lease holds and nobody uses any
         * more: it becomes the target's spare (in place of an older one).
         */
        public synchronized void recycle(byte[] buffer) {
            if (released || buffer.length > bytes) {
                release();
                return;
            }
            bytes -= buffer.length;
            release();
            byte[] older = spares.put(key, buffer);
            if (older != null) {
                used.addAndGet(-older.length);
            }
        }
    }
}
