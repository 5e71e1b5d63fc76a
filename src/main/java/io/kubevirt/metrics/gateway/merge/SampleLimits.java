package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.LimitExceededException;

/**
 * Per-target limits as Prometheus has them (scrape config's {@code label_limit},
 * {@code label_name_length_limit}, {@code label_value_length_limit}): checked on every series
 * after metric relabeling, target labels and {@code __name__} included, lengths in bytes; one
 * series over a limit fails the whole target. Plus a limit on a line's length, which Prometheus
 * does not have. 0 means no limit.
 */
public record SampleLimits(int labels, int labelNameLength, int labelValueLength, int lineLength) {
    public static final SampleLimits NONE = new SampleLimits(0, 0, 0, 0);

    /** True when a series' labels need checking at all. */
    boolean checksLabels() {
        return labels > 0 || labelNameLength > 0 || labelValueLength > 0;
    }

    void checkCount(int line, String metric, int count) throws LimitExceededException {
        if (labels > 0 && count > labels) {
            throw new LimitExceededException(line, "label_limit", String.format("label_limit exceeded (metric: %.50s, "
                    + "number of labels: %d, limit: %d)", metric, count, labels));
        }
    }

    /** {@code name} and the byte length of its (unescaped) value. */
    void checkLabel(int line, String metric, String name, int valueLength) throws LimitExceededException {
        if (labelNameLength > 0 && name.length() > labelNameLength) {
            throw new LimitExceededException(line, "label_name_length_limit", String.format("label_name_length_limit "
                    + "exceeded (metric: %.50s, label name: %.50s, length: %d, limit: %d)", metric, name,
                    name.length(), labelNameLength));
        }
        if (labelValueLength > 0 && valueLength > labelValueLength) {
            throw new LimitExceededException(line, "label_value_length_limit", String.format("label_value_length_limit "
                    + "exceeded (metric: %.50s, label name: %.50s, length: %d, limit: %d)", metric, name, valueLength,
                    labelValueLength));
        }
    }
}
