package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.MetricType;
import java.util.Arrays;

/**
 * One metric family of one target, as it will be written in the text format 0.0.4: its name,
 * type, HELP text (escaped for 0.0.4, or null) and the indexes of its samples in the target's
 * exposition. It also knows the OpenMetrics family it is part of: an OpenMetrics counter
 * {@code x} is the 0.0.4 counter {@code x_total} and the gauge {@code x_created}, an info
 * {@code x} the gauge {@code x_info}; most families are simply themselves.
 */
final class Family {
    final String name;
    final MetricType type;
    final String openMetricsName;
    final MetricType openMetricsType;
    String help;
    /** The OpenMetrics unit of {@link #openMetricsName}, or null. */
    String unit;
    /** The first sample, when the samples are consecutive: they are in almost every body. */
    private int first;
    private int size;
    /** The samples, once they are not consecutive; null while they are. */
    private int[] samples;

    Family(String name, MetricType type, String openMetricsName, MetricType openMetricsType) {
        this.name = name;
        this.type = type;
        this.openMetricsName = openMetricsName;
        this.openMetricsType = openMetricsType;
    }

    /** Adds a sample; samples come in the order of the body, so each one is greater than the last. */
    void add(int sample) {
        if (samples == null) {
            if (size == 0) {
                first = sample;
            }
            if (sample == first + size) {
                size++;
                return;
            }
            samples = new int[Math.max(8, 2 * size)];
            for (int i = 0; i < size; i++) {
                samples[i] = first + i;
            }
        }
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = sample;
    }

    int size() {
        return size;
    }

    int sample(int i) {
        return samples == null ? first + i : samples[i];
    }

    /** The sample names this family writes, which no other family may write (see {@link Merger}). */
    String[] claimedNames() {
        return switch (type) {
            case HISTOGRAM -> new String[] {name, name + "_bucket", name + "_sum", name + "_count"};
            case SUMMARY -> new String[] {name, name + "_sum", name + "_count"};
            default -> new String[] {name};
        };
    }
}
