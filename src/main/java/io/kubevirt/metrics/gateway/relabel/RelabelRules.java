package io.kubevirt.metrics.gateway.relabel;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** An ordered list of relabel rules, applied as Prometheus' {@code relabel.Process}. Immutable, thread safe. */
public final class RelabelRules {
    public static final RelabelRules NONE = new RelabelRules(List.of());

    private final List<RelabelRule> rules;

    public RelabelRules(List<RelabelRule> rules) {
        this.rules = List.copyOf(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public List<RelabelRule> rules() {
        return rules;
    }

    /**
     * Relabels a label set: the result (sorted by name) or null when a rule dropped it. The input
     * is not changed.
     */
    public SortedMap<String, String> apply(Map<String, String> labels) {
        TreeMap<String, String> working = new TreeMap<>(labels);
        working.values().removeIf(String::isEmpty);
        for (RelabelRule rule : rules) {
            if (!rule.apply(working)) {
                return null;
            }
        }
        return working;
    }
}
