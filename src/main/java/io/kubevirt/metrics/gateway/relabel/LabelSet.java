package io.kubevirt.metrics.gateway.relabel;

/**
 * The label set relabel rules read and change, as Prometheus' label builder: labels with an
 * empty value are not part of it, setting a label to the empty value removes it, and
 * {@code __name__} is a label like the others.
 *
 * <p>Two implementations: a sorted map ({@link MapLabels}, for targets and for the rare series the
 * gateway decodes whole) and the merge stage's view of a parsed sample, which reads names and
 * values out of the scraped body and keeps changes beside it, so that rules cost no allocation
 * for the series they leave alone.
 */
public interface LabelSet {
    /** What {@link #namesVersion} returns when it cannot tell. */
    long UNKNOWN_NAMES = -1;

    /**
     * Appends to {@code key} the value of label {@code name} as the text format 0.0.4 writes it
     * (escaped, UTF-8), nothing for an absent label. Every implementation writes the same bytes
     * for the same value, so one runner's memory of decisions holds across them.
     */
    void appendKey(String name, ValueKey key);

    /** The value of label {@code name}, or "" when it is absent. */
    String value(String name);

    /** Sets label {@code name} to {@code value}; the empty value removes it. */
    void set(String name, String value);

    /** The number of name slots: {@link #name} of each is a label name or null. */
    int nameSlots();

    /**
     * The name in slot {@code i}, or null when the slot holds none (a removed label). The text may
     * be reused by the next call: a caller that keeps it keeps its {@code toString()}.
     */
    CharSequence name(int i);

    /**
     * A number that stays the same from one label set to the next (for the same reader) as long as
     * their label names are the same, so that a rule that only looks at names can reuse its last
     * verdict; {@link #UNKNOWN_NAMES} when the set cannot tell.
     */
    long namesVersion();
}
