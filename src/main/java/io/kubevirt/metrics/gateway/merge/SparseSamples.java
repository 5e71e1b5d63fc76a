package io.kubevirt.metrics.gateway.merge;

import java.util.Arrays;

/**
 * A value for some of a target's samples (a timestamp, where an exemplar is): few samples have
 * one, so a value costs 12 bytes where it exists instead of 8 bytes on every sample. Samples are
 * added in ascending order and looked up by binary search. Immutable once built.
 */
final class SparseSamples {
    static final SparseSamples NONE = new SparseSamples(new int[0], new long[0]);

    private final int[] samples;
    private final long[] values;

    private SparseSamples(int[] samples, long[] values) {
        this.samples = samples;
        this.values = values;
    }

    /** The value of the sample, or {@code absent}. */
    long get(int sample, long absent) {
        if (samples.length == 0) {
            return absent;
        }
        int i = Arrays.binarySearch(samples, sample);
        return i < 0 ? absent : values[i];
    }

    /** Collects values while a body is read. */
    static final class Builder {
        private int[] samples = new int[0];
        private long[] values = new long[0];
        private int count;

        /** Adds the value of {@code sample}, which must be above every sample added before. */
        void add(int sample, long value) {
            if (count == samples.length) {
                samples = Arrays.copyOf(samples, Math.max(8, 2 * count));
                values = Arrays.copyOf(values, samples.length);
            }
            samples[count] = sample;
            values[count++] = value;
        }

        SparseSamples build() {
            return count == 0 ? NONE : new SparseSamples(Arrays.copyOf(samples, count), Arrays.copyOf(values, count));
        }
    }
}
