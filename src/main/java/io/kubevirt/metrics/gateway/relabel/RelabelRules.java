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
        return runner().apply(new MapLabels(working)) ? working : null;
    }

    /** A runner of these rules for one thread: it reuses matchers, buffers and recent outcomes. */
    public Runner runner() {
        return new Runner();
    }

    /** Runs the rules for one thread, one label set after the other. Not thread safe. */
    public final class Runner {
        private final RelabelRule.State[] states = new RelabelRule.State[rules.size()];

        private Runner() {
            for (int i = 0; i < states.length; i++) {
                states[i] = rules.get(i).state();
            }
        }

        /** Relabels {@code labels} in place; false when a rule dropped them. */
        public boolean apply(LabelSet labels) {
            for (int i = 0; i < states.length; i++) {
                if (!rules.get(i).apply(labels, states[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
