package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.relabel.RelabelRules;

/**
 * How the series of one target are labelled: the target's labels, the honor_labels policy and the
 * metric_relabel_configs, applied in Prometheus' order (target labels first, then the rules), and
 * the limits every resulting series must keep.
 */
public record SeriesLabeling(TargetLabels targetLabels, boolean honorLabels, RelabelRules metricRules,
        SampleLimits limits) {
    /** No target labels, no rules: a body merged as it is (the gateway's own metrics). */
    public static final SeriesLabeling NONE = new SeriesLabeling(TargetLabels.EMPTY, true, RelabelRules.NONE);

    /** Without limits (report series, the gateway's own metrics, tests). */
    public SeriesLabeling(TargetLabels targetLabels, boolean honorLabels, RelabelRules metricRules) {
        this(targetLabels, honorLabels, metricRules, SampleLimits.NONE);
    }
}
