package io.kubevirt.metrics.gateway.merge;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each target's per-sample index arrays (positions, target label masks, hashes: 40 bytes a
 * sample) from its last exposition that nothing reads any more: its next read fills them instead
 * of new ones. A target's samples change little from one scrape to the next, and arrays that live
 * from gather to gather cost the collector nothing, where new ones, alive through a whole gather,
 * were copied by every young collection during it (as the scraper keeps a body's buffer, see
 * {@code MemoryBudget}). Thread safe.
 */
public final class IndexSpares {
    private final Map<Object, Spare> spares = new ConcurrentHashMap<>();

    /** The index arrays of a read exposition, for {@link TargetExpositionReader#read} to fill again. */
    public static final class Spare {
        final int[] samples;
        final long[] masks;
        final long[] hashes;

        private Spare(int[] samples, long[] masks, long[] hashes) {
            this.samples = samples;
            this.masks = masks;
            this.hashes = hashes;
        }

        /** Whether about {@code expected} samples fit, without holding much more than they need. */
        boolean fits(int expected) {
            return masks.length >= expected && masks.length <= 2 * expected;
        }
    }

    /** Takes the spare arrays of the target with this key: null when it has none. */
    public Spare take(Object key) {
        return spares.remove(key);
    }

    /**
     * Keeps the index arrays of {@code exposition}, which the target with this key read and which
     * nothing reads any more (nor will: its next read may write into them).
     */
    public void recycle(Object key, TargetExposition exposition) {
        spares.put(key, new Spare(exposition.samples, exposition.targetMasks, exposition.hashes));
    }

    /** Forgets the targets that are gone. */
    public void retain(Collection<?> keys) {
        spares.keySet().retainAll(keys);
    }
}
