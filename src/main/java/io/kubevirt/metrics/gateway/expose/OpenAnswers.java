package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.scrape.MemoryBudget;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The answers being sent, and the one way to cut a reader off: past its deadline (see
 * {@link MetricsResource}), or when a newer gather needs the memory that an older answer's bodies
 * hold (the {@link MemoryBudget} asks before it fails a target with {@code memory_budget}). A
 * slow reader thus delays only itself: it can neither hold bodies longer than its deadline nor
 * make the next gather's targets fail. Each cut-off is counted by reason and warned about at most
 * once a minute. Thread safe.
 */
@Singleton
public class OpenAnswers {
    private static final Logger LOG = Logger.getLogger(OpenAnswers.class);
    private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

    /** An answer on its way: when it was handed its merge, and how to cut its reader off. */
    private record Open(long since, Runnable cutOff) {
    }

    private final Map<Object, Open> open = new ConcurrentHashMap<>();
    private final GatewayMetrics metrics;
    private volatile long newestGatherStart = System.nanoTime();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    public OpenAnswers(MemoryBudget budget, GatewayMetrics metrics) {
        this.metrics = metrics;
        budget.reclaimWith(this::cutOffOlderThanNewestGather);
    }

    /** A gather starts: answers handed out before it are of older gathers. */
    void gatherStarted() {
        newestGatherStart = System.nanoTime();
    }

    /**
     * An answer handed its merge now, under {@code key} until {@link #closed}; {@code cutOff}
     * closes its connection and lets go of its hold on the merge, from any thread.
     */
    void opened(Object key, Runnable cutOff) {
        open.put(key, new Open(System.nanoTime(), cutOff));
    }

    /** The answer ended, sent or not; its hold is gone. */
    void closed(Object key) {
        open.remove(key);
    }

    /** Cuts off the reader of an answer that is past its deadline. */
    void cutOffLate(Object key, Duration deadline) {
        Open answer = open.remove(key);
        if (answer != null) {
            cutOff(answer, "deadline", "a reader was still reading its answer " + deadline.toMillis()
                    + " ms after its request (its scrape timeout and " + MetricsResource.DEADLINE_MARGIN.toSeconds()
                    + " s): its connection is closed");
        }
    }

    /** Cuts off the readers still reading answers of gathers older than the newest; true when there were any. */
    private boolean cutOffOlderThanNewestGather() {
        boolean any = false;
        for (Map.Entry<Object, Open> entry : open.entrySet()) {
            if (entry.getValue().since() - newestGatherStart < 0 && open.remove(entry.getKey(), entry.getValue())) {
                cutOff(entry.getValue(), "memory", "a gather needed the memory held by an older answer still being"
                        + " read: its reader's connection is closed");
                any = true;
            }
        }
        return any;
    }

    private void cutOff(Open answer, String reason, String why) {
        answer.cutOff().run();
        metrics.recordAnswerAborted(reason);
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            LOG.warnf("%s (kubevirt_metrics_gateway_answers_aborted_total{reason=\"%s\"}; said at most once a"
                    + " minute)", why, reason);
        }
    }
}
