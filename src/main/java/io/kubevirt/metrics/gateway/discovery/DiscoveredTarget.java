package io.kubevirt.metrics.gateway.discovery;

import java.util.Map;

/**
 * A target as a discovery source sees it: Prometheus-style labels, meta labels included
 * ({@code __address__}, {@code __scheme__}, {@code __metrics_path__},
 * {@code __meta_kubernetes_pod_*}, {@code __meta_filepath}, ...), before target relabeling.
 */
public record DiscoveredTarget(Map<String, String> labels) {
    public DiscoveredTarget {
        labels = Map.copyOf(labels);
    }
}
