package io.kubevirt.metrics.gateway.relabel;

import com.google.re2j.Matcher;
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
        return apply(labels, 0);
    }

    /** Like {@link #apply(Map)}, from rule {@code first} on (the rules before it left the set as it was). */
    public SortedMap<String, String> apply(Map<String, String> labels, int first) {
        TreeMap<String, String> working = new TreeMap<>(labels);
        return applyInPlace(working, first) ? working : null;
    }

    /** Relabels {@code labels} itself, from rule {@code first} on; false when a rule dropped it. */
    public boolean applyInPlace(SortedMap<String, String> labels, int first) {
        labels.values().removeIf(String::isEmpty);
        for (int i = first; i < rules.size(); i++) {
            if (!rules.get(i).apply(labels)) {
                return false;
            }
        }
        return true;
    }

    /** A checker of these rules for one thread (it reuses matchers and buffers). */
    public Preview preview() {
        return new Preview();
    }

    /**
     * Runs the rules over a {@link LabelView} as long as they leave it unchanged, without
     * building a map or strings: most metric rules (drop this family, rewrite that label) do
     * nothing to most series. Not thread safe.
     */
    public final class Preview {
        /** Every rule leaves the labels as they are. */
        public static final int UNCHANGED = -1;
        /** A rule drops the labels. */
        public static final int DROPPED = -2;

        private final Matcher[] matchers = new Matcher[rules.size()];
        private final StringBuilder value = new StringBuilder(64);
        private final StringBuilder other = new StringBuilder(64);

        private Preview() {
            for (int i = 0; i < matchers.length; i++) {
                matchers[i] = rules.get(i).matcher();
            }
        }

        /**
         * {@link #UNCHANGED}, {@link #DROPPED}, or the index of the first rule that changes the
         * labels, from which {@link RelabelRules#apply(Map, int)} takes over.
         */
        public int run(LabelView labels) {
            for (int i = 0; i < matchers.length; i++) {
                switch (rules.get(i).preview(labels, matchers[i], value, other)) {
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
    }
}
