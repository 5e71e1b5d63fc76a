package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.MetricType;
import java.util.Arrays;

/**
 * One metric family of one target, as it will be written in the text format 0.0.4: its name,
 * type, HELP text (escaped, or null) and the indexes of its samples in the target's exposition.
 */
final class Family {
    final String name;
    final MetricType type;
    String help;
    private int[] samples = new int[8];
    private int size;

    Family(String name, MetricType type) {
        this.name = name;
        this.type = type;
    }

    void add(int sample) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = sample;
    }

    int size() {
        return size;
    }

    int sample(int i) {
        return samples[i];
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
