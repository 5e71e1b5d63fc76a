package io.kubevirt.metrics.gateway.merge;

/**
 * Open-addressing map from a series hash to where that series' line starts in the output, to find
 * duplicates while writing. A series can only repeat within its family, so the index holds one
 * family at a time: small enough to stay in the CPU caches. {@link #startFamily} forgets the
 * previous family in O(1) (entries carry the family's generation). Not thread safe.
 */
final class SeriesIndex {
    private final long[] keys;
    private final int[] values;
    private final int[] generations;
    private int generation;
    private int mask;

    /** @param largestFamily the most samples any family will have */
    SeriesIndex(int largestFamily) {
        int capacity = tableSize(largestFamily);
        keys = new long[capacity];
        values = new int[capacity];
        generations = new int[capacity];
    }

    /** Empties the index for a family of {@code size} samples. */
    void startFamily(int size) {
        generation++;
        mask = tableSize(size) - 1;
    }

    /** The line start stored for the hash, or -1; stores {@code lineStart} when absent. */
    int putIfAbsent(long hash, int lineStart) {
        int i = (int) (hash ^ (hash >>> 32)) & mask;
        while (generations[i] == generation) {
            if (keys[i] == hash) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        generations[i] = generation;
        keys[i] = hash;
        values[i] = lineStart;
        return -1;
    }

    /** A power of two at least twice the entries: probes stay short. */
    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(8, entries) * 2 - 1) << 1;
    }
}
