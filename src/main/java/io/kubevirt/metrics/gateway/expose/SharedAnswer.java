package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.MergeReport;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gather's merge, shared by every request that serves it (and by the min-interval cache): the
 * bodies it points into stay in memory while any of them writes it, and their share of the
 * memory budget is given back when the last one is done. The gather itself holds it until it has
 * handed it to the requests waiting for it.
 */
final class SharedAnswer {
    private final MergedExposition merged;
    private final List<ScrapeResult> bodies;
    private final AtomicInteger holders = new AtomicInteger(1);

    SharedAnswer(MergedExposition merged, List<ScrapeResult> bodies) {
        this.merged = merged;
        this.bodies = bodies;
    }

    MergeReport report() {
        return merged.report();
    }

    /** A new hold on the answer, to close when done with it. */
    Use use() {
        holders.incrementAndGet();
        return new Use();
    }

    /** Lets go of the gather's own hold (or of a {@link Use}). */
    void release() {
        if (holders.decrementAndGet() == 0) {
            bodies.forEach(ScrapeResult::releaseMemory);
        }
    }

    /** One holder's use of the answer; closing it more than once does nothing. */
    final class Use implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        MergedExposition merged() {
            return merged;
        }

        /** Another hold on the same answer. */
        Use again() {
            return use();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release();
            }
        }
    }
}
