package io.kubevirt.metrics.gateway.merge;

/**
 * Open-addressing map from a series hash to where that series' line starts in the output, to find
 * duplicates while writing. Not thread safe; one per merge.
 */
final class SeriesIndex {
    private long[] keys;
    private int[] values;
    private boolean[] used;
    private int size;

    SeriesIndex(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        used = new boolean[capacity];
    }

    /** The line start stored for the hash, or -1; stores {@code lineStart} when absent. */
    int putIfAbsent(long hash, int lineStart) {
        int mask = keys.length - 1;
        int i = (int) (hash ^ (hash >>> 32)) & mask;
        while (used[i]) {
            if (keys[i] == hash) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = hash;
        values[i] = lineStart;
        if (++size * 2 > keys.length) {
            grow();
        }
        return -1;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        boolean[] oldUsed = used;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        used = new boolean[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                putIfAbsent(oldKeys[i], oldValues[i]);
            }
        }
    }
}
