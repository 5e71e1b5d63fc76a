package io.kubevirt.metrics.gateway.relabel;

/**
 * A read-only label set that writes names and values into caller-owned buffers, so that rules can
 * be checked against a scraped series without building a map or strings for it. Labels with an
 * empty value are not part of the set, as in Prometheus; {@code __name__} is.
 */
public interface LabelView {
    /** Number of labels. */
    int size();

    /** Appends the name of label {@code i} to {@code out}. */
    void name(int i, StringBuilder out);

    /** Appends the value of the label {@code name} to {@code out}; false (nothing appended) when absent. */
    boolean value(String name, StringBuilder out);
}
