package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.TargetExposition;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The series each target had in its previous scrape, to count {@code scrape_series_added} as
 * Prometheus does. Kept as hashes in the order of the scrape: 8 bytes per series. Thread safe.
 */
final class SeriesHistory {
    private final Map<ScrapeTarget, long[]> previous = new ConcurrentHashMap<>();

    /**
     * Series of this scrape that were not in the previous one; remembers this scrape. A target
     * usually exposes the same series in the same order as before, which one comparison of the
     * hashes tells, and then the hashes remembered stay as they are; only a change costs copying
     * and sorting them.
     */
    int added(ScrapeTarget target, TargetExposition exposition) {
        long[] before = previous.get(target);
        if (before != null && sameSeries(before, exposition)) {
            return 0;
        }
        long[] now = new long[exposition.sampleCount()];
        for (int i = 0; i < now.length; i++) {
            now[i] = exposition.seriesHash(i);
        }
        previous.put(target, now);
        if (before == null) {
            return now.length;
        }
        long[] sortedNow = now.clone();
        long[] sortedBefore = before.clone();
        Arrays.sort(sortedNow);
        Arrays.sort(sortedBefore);
        int added = 0;
        int j = 0;
        for (long hash : sortedNow) {
            while (j < sortedBefore.length && sortedBefore[j] < hash) {
                j++;
            }
            if (j == sortedBefore.length || sortedBefore[j] != hash) {
                added++;
            }
        }
        return added;
    }

    private static boolean sameSeries(long[] hashes, TargetExposition exposition) {
        if (hashes.length != exposition.sampleCount()) {
            return false;
        }
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != exposition.seriesHash(i)) {
                return false;
            }
        }
        return true;
    }

    /** How many series the target had in its previous scrape, or -1 when there was none. */
    int lastCount(ScrapeTarget target) {
        long[] before = previous.get(target);
        return before == null ? -1 : before.length;
    }

    /** Forgets targets that are gone. */
    void retain(Collection<ScrapeTarget> current) {
        previous.keySet().retainAll(current);
    }
}
