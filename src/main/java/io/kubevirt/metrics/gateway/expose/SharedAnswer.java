package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.MergeReport;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gather's merge, shared by every request that serves it (and by the min-interval cache): the
 * bodies and index arrays it points into stay as they are while any of them writes it, and are
 * given back (see {@link GatherPipeline#answer}) when the last one is done. The gather itself
 * holds it until it has handed it to the requests waiting for it.
 */
final class SharedAnswer {
    private final MergedExposition merged;
    private final Runnable giveBack;
    private final AtomicInteger holders = new AtomicInteger(1);

    /** @param giveBack gives back the memory the merge points into; run once, when no one holds it */
    SharedAnswer(MergedExposition merged, Runnable giveBack) {
        this.merged = merged;
        this.giveBack = giveBack;
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
            giveBack.run();
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
