package io.kubevirt.metrics.gateway.scrape;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that the bodies of all gathers together may take ({@code gateway.scrape.memory-budget};
 * by default half the maximum heap). Each body holds a {@link Lease} that grows with it; a body that
 * would take the total over the budget fails its target (reason {@code memory_budget}) instead of
 * the whole process failing with an OutOfMemoryError. A lease is released when its gather's answer
 * is no longer served (see the expose stage), or at once when its scrape fails. Thread safe.
 */
@ApplicationScoped
public class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

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

    /** Bytes held by the leases now. */
    public long used() {
        return used.get();
    }

    /** A new, empty lease. */
    public Lease lease() {
        return new Lease();
    }

    /** One body's share of the budget. */
    public final class Lease {
        private long bytes;
        private boolean released;

        private Lease() {
        }

        /** Takes {@code n} more bytes; false (and nothing taken) when that would exceed the budget. */
        synchronized boolean grow(long n) {
            if (released) {
                return false;
            }
            long current;
            do {
                current = used.get();
                if (current + n > limit) {
                    return false;
                }
            } while (!used.compareAndSet(current, current + n));
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

        /** Gives all the bytes back; later calls do nothing. */
        public synchronized void release() {
            if (!released) {
                released = true;
                used.addAndGet(-bytes);
                bytes = 0;
            }
        }
    }
}
