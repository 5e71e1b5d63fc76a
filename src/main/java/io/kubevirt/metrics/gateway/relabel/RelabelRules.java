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
        return runner().applyInPlace(working, 0) ? working : null;
    }

    /** A runner of these rules for one thread: it reuses matchers, buffers and recent outcomes. */
    public Runner runner() {
        return new Runner();
    }

    /**
     * Runs the rules for one thread. {@link #preview} runs them over a {@link LabelView} as long as
     * they leave it unchanged, without building a map or strings: most metric rules (drop this
     * family, rewrite that label) do nothing to most series. Not thread safe.
     */
    public final class Runner {
        /** Every rule leaves the labels as they are. */
        public static final int UNCHANGED = -1;
        /** A rule drops the labels. */
        public static final int DROPPED = -2;

        private final RelabelRule.State[] states = new RelabelRule.State[rules.size()];

        private Runner() {
            for (int i = 0; i < states.length; i++) {
                states[i] = rules.get(i).state();
            }
        }

        /**
         * {@link #UNCHANGED}, {@link #DROPPED}, or the index of the first rule that changes the
         * labels, from which {@link #applyInPlace} takes over.
         */
        public int preview(LabelView labels) {
            for (int i = 0; i < states.length; i++) {
                switch (rules.get(i).preview(labels, states[i])) {
                    case DROP:
                        return DROPPED;
                    case CHANGES:
                        return i;
                    default:
                        break;
                }
            }
            return UNCHANGED;
        }

        /** Relabels {@code labels} itself, from rule {@code first} on; false when a rule dropped it. */
        public boolean applyInPlace(SortedMap<String, String> labels, int first) {
            labels.values().removeIf(String::isEmpty);
            for (int i = first; i < states.length; i++) {
                if (!rules.get(i).apply(labels, states[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
