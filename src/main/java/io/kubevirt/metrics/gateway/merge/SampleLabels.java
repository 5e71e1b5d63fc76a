package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.ByteRuns;
import io.kubevirt.metrics.gateway.parse.Escapes;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.relabel.LabelSet;
import io.kubevirt.metrics.gateway.relabel.ValueKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The parser's current sample with the target labels it gets, as metric relabel rules see it
 * (Prometheus runs them after adding the target labels), and what they change of it.
 *
 * <p>Nothing is decoded or copied for a rule that only compares: names and values are read out of
 * the body, and changes are kept beside the sample. So a series that the rules leave alone is
 * written from the body as it is, and one they change keeps every label they did not touch by
 * position (target labels by mask); only what they set is written anew.
 *
 * <p>The labels are held in <em>slots</em>: the sample's labels with a value, then the target
 * labels it gets, then {@code __name__}; changes come after them. Not thread safe.
 */
final class SampleLabels implements LabelSet {
    static final String NAME = "__name__";
    static final int ABSENT = -1;
    private static final int SIGNATURE_BITS = 16;
    /** Beyond this many, changes name labels after values (one new name per series): versions would not help. */
    private static final int MAX_SIGNATURES = 1024;
    private static final byte[] EMPTY = new byte[0];

    private final byte[] body;
    private final ExpositionParser parser;
    private final TargetLabels targetLabels;
    private final boolean honorLabels;

    /** The target labels the sample gets (before changes). */
    private long mask;
    /** Per slot: the parser's label index, then the target label index. */
    private int[] order = new int[32];
    private int present;
    private int slots;

    /** Bumped whenever a sample's names differ from the previous sample's. */
    private long version;
    private boolean versionKnown;
    private int[] previousNames = new int[32];
    private int previousPresent = -1;
    private long previousMask;

    /** Ids of the names that changes added (+) or removed (-), in their order. */
    private final Map<String, Integer> signatures = new HashMap<>();

    /** Slots of the names rules asked for, by identity (rules ask with the same strings); valid for one version. */
    private final String[] cachedNames = new String[32];
    private final int[] cachedSlots = new int[32];
    private int cached;

    /** Counts every change of every sample: {@link #namesVersion} is computed once between changes. */
    private long changeCount;
    private long namesVersionFor = -1;
    private long namesVersion;
    private String[] changedNames = new String[4];
    private String[] changedValues = new String[4];
    private byte[][] changedEscaped = new byte[4][];
    private int[] changedSlots = new int[4];
    private int changes;
    /** The last value set and its escaped bytes: a rule sets its decision's value, series after series. */
    private String lastSetValue;
    private byte[] lastSetEscaped;
    private final AsciiText text = new AsciiText();

    SampleLabels(byte[] body, ExpositionParser parser, TargetLabels targetLabels, boolean honorLabels) {
        this.body = body;
        this.parser = parser;
        this.targetLabels = targetLabels;
        this.honorLabels = honorLabels;
    }

    /**
     * Takes the parser's current sample; false when it needs the slow path: a label of the sample
     * that is also a target label under {@code honor_labels: false} (it becomes {@code exported_}).
     *
     * @param forRules whether metric relabel rules will look at the sample: only they need its
     *     labels in slots, and without rules the reader asks for its target labels' mask alone
     */
    boolean prepare(boolean forRules) {
        mask = targetLabels.allMask;
        present = 0;
        changes = 0;
        changeCount++;
        versionKnown = false;
        int n = parser.labelCount();
        if (forRules && order.length < n + 65) {
            order = new int[n + 65];
        }
        for (int j = 0; j < n; j++) {
            int t = targetLabels.indexOf(body, parser.labelNameStart(j), parser.labelNameEnd(j));
            if (t >= 0) {
                if (!honorLabels) {
                    return false;
                }
                mask &= ~(1L << t);
            }
            if (forRules && parser.labelValueEnd(j) > parser.labelValueStart(j)) {
                order[present++] = j;
            }
        }
        if (!forRules) {
            return true;
        }
        slots = present;
        for (long m = mask; m != 0; m &= m - 1) {
            order[slots++] = Long.numberOfTrailingZeros(m);
        }
        slots++; // __name__
        return true;
    }

    /** The target labels the sample gets. */
    long mask() {
        return mask;
    }

    /** Whether a rule changed the labels. */
    boolean changed() {
        return changes > 0;
    }

    /** The target labels the sample gets that no rule changed. */
    long keptMask() {
        long kept = mask;
        for (int c = 0; c < changes; c++) {
            int s = changedSlots[c];
            if (s >= present && s < slots - 1) {
                kept &= ~(1L << order[s]);
            }
        }
        return kept;
    }

    /** The parser's label index of each of the sample's labels that no rule changed, in order. */
    int keptLabels(int[] out) {
        int n = 0;
        for (int s = 0; s < present; s++) {
            if (changeOfSlot(s) < 0) {
                out[n++] = order[s];
            }
        }
        return n;
    }

    /** The value a rule gave {@code __name__}, or null when no rule changed it. */
    String newMetricName() {
        int c = change(NAME);
        return c < 0 ? null : changedValues[c];
    }

    /** How many labels the rules changed (set, added or removed). */
    int changes() {
        return changes;
    }

    /** The name of the label change {@code c} is about. */
    String changedLabel(int c) {
        return changedNames[c];
    }

    /** The escaped value of change {@code c}; empty when it removed the label. */
    byte[] changedEscaped(int c) {
        return changedEscaped[c];
    }

    @Override
    public void appendKey(String name, ValueKey key) {
        int c = change(name);
        if (c >= 0) {
            key.append(changedEscaped[c]);
        } else {
            appendEscaped(slot(name), key);
        }
    }

    /** The escaped value of a slot (equal bytes for equal values: escapes are canonical). */
    private void appendEscaped(int s, ValueKey key) {
        if (s == ABSENT) {
            return;
        }
        if (s < present) {
            int j = order[s];
            int vs = parser.labelValueStart(j);
            int ve = parser.labelValueEnd(j);
            if (parser.labelValueCanonical(j)) {
                key.append(body, vs, ve);
            } else {
                key.append(Escapes.canonicalLabelValue(body, vs, ve));
            }
        } else if (s < slots - 1) {
            key.append(targetLabels.escapedValues[order[s]]);
        } else {
            key.append(body, parser.nameStart(), parser.nameEnd());
        }
    }

    /** Whether the slot's escaped value is {@code escaped} (empty for an absent label). */
    private boolean hasEscaped(int s, byte[] escaped) {
        if (s == ABSENT) {
            return escaped.length == 0;
        }
        if (s < present) {
            int j = order[s];
            int vs = parser.labelValueStart(j);
            int ve = parser.labelValueEnd(j);
            return parser.labelValueCanonical(j) ? Arrays.equals(body, vs, ve, escaped, 0, escaped.length)
                    : Arrays.equals(Escapes.canonicalLabelValue(body, vs, ve), escaped);
        }
        return s < slots - 1 ? Arrays.equals(targetLabels.escapedValues[order[s]], escaped)
                : Arrays.equals(body, parser.nameStart(), parser.nameEnd(), escaped, 0, escaped.length);
    }

    @Override
    public String value(String name) {
        int c = change(name);
        if (c >= 0) {
            return changedValues[c];
        }
        int s = slot(name);
        if (s == ABSENT) {
            return "";
        }
        if (s < present) {
            int j = order[s];
            return Escapes.unescapeLabelValue(body, parser.labelValueStart(j), parser.labelValueEnd(j));
        }
        return s < slots - 1 ? targetLabels.value(order[s])
                : new String(body, parser.nameStart(), parser.nameEnd() - parser.nameStart(), StandardCharsets.US_ASCII);
    }

    @Override
    public void set(String name, String value) {
        if (value != lastSetValue) {
            lastSetEscaped = value.isEmpty() ? EMPTY : Escapes.escapeLabelValue(value).getBytes(StandardCharsets.UTF_8);
            lastSetValue = value;
        }
        byte[] escaped = lastSetEscaped;
        int c = change(name);
        if (c < 0) {
            int s = slot(name);
            if (hasEscaped(s, escaped)) {
                return; // Sets what it has: no change.
            }
            c = changes++;
            if (c == changedNames.length) {
                changedNames = Arrays.copyOf(changedNames, c * 2);
                changedValues = Arrays.copyOf(changedValues, c * 2);
                changedEscaped = Arrays.copyOf(changedEscaped, c * 2);
                changedSlots = Arrays.copyOf(changedSlots, c * 2);
            }
            changedNames[c] = name;
            changedSlots[c] = s;
        }
        changedValues[c] = value;
        changedEscaped[c] = escaped;
        changeCount++;
    }

    @Override
    public int nameSlots() {
        return slots + changes;
    }

    @Override
    public CharSequence name(int i) {
        if (i >= slots) { // A change: a name of its own when it added a label.
            int c = i - slots;
            return changedSlots[c] == ABSENT && changedEscaped[c].length > 0 ? changedNames[c] : null;
        }
        int c = changeOfSlot(i);
        if (c >= 0 && changedEscaped[c].length == 0) {
            return null; // Removed.
        }
        if (i < present) {
            int j = order[i];
            return text.of(body, parser.labelNameStart(j), parser.labelNameEnd(j));
        }
        return i < slots - 1 ? targetLabels.name(order[i]) : NAME;
    }

    /**
     * The version of the sample's names as parsed, with an id of the names that changes added or
     * removed: rules that run after one that adds a label to every series still see one version
     * through a family.
     */
    @Override
    public long namesVersion() {
        knowVersion();
        if (namesVersionFor != changeCount) {
            namesVersion = namesVersionNow();
            namesVersionFor = changeCount;
        }
        return namesVersion;
    }

    private long namesVersionNow() {
        StringBuilder signature = null;
        for (int c = 0; c < changes; c++) {
            boolean added = changedSlots[c] == ABSENT;
            if (added != (changedEscaped[c].length == 0)) {
                if (signature == null) {
                    signature = new StringBuilder();
                }
                signature.append(added ? '+' : '-').append(changedNames[c]).append('\n');
            }
        }
        if (signature == null) {
            return version << SIGNATURE_BITS;
        }
        Integer id = signatures.get(signature.toString());
        if (id == null) {
            if (signatures.size() == MAX_SIGNATURES) {
                return UNKNOWN_NAMES;
            }
            id = signatures.size() + 1;
            signatures.put(signature.toString(), id);
        }
        return version << SIGNATURE_BITS | id;
    }

    private void knowVersion() {
        if (versionKnown) {
            return;
        }
        versionKnown = true;
        if (sameNamesAsPrevious()) {
            return;
        }
        version++;
        cached = 0;
        if (previousNames.length < 2 * present) {
            previousNames = new int[2 * present];
        }
        for (int s = 0; s < present; s++) {
            previousNames[2 * s] = parser.labelNameStart(order[s]);
            previousNames[2 * s + 1] = parser.labelNameEnd(order[s]);
        }
        previousPresent = present;
        previousMask = mask;
    }

    private boolean sameNamesAsPrevious() {
        if (present != previousPresent || mask != previousMask) {
            return false;
        }
        for (int s = 0; s < present; s++) {
            int j = order[s];
            if (!ByteRuns.equal(body, previousNames[2 * s], previousNames[2 * s + 1], body, parser.labelNameStart(j),
                    parser.labelNameEnd(j))) {
                return false;
            }
        }
        return true;
    }

    /** The slot of label {@code name} in the sample as parsed, or {@link #ABSENT}. */
    private int slot(String name) {
        knowVersion();
        for (int k = 0; k < cached; k++) {
            if (cachedNames[k] == name) {
                return cachedSlots[k];
            }
        }
        int s = find(name);
        if (cached < cachedNames.length) {
            cachedNames[cached] = name;
            cachedSlots[cached++] = s;
        }
        return s;
    }

    private int find(String name) {
        if (name.equals(NAME)) {
            return slots - 1;
        }
        for (int s = 0; s < present; s++) {
            int j = order[s];
            if (equalsAscii(name, parser.labelNameStart(j), parser.labelNameEnd(j))) {
                return s;
            }
        }
        for (int s = present; s < slots - 1; s++) {
            if (targetLabels.name(order[s]).equals(name)) {
                return s;
            }
        }
        return ABSENT;
    }

    private int change(String name) {
        for (int c = 0; c < changes; c++) {
            if (changedNames[c].equals(name)) {
                return c;
            }
        }
        return -1;
    }

    private int changeOfSlot(int s) {
        for (int c = 0; c < changes; c++) {
            if (changedSlots[c] == s) {
                return c;
            }
        }
        return -1;
    }

    private boolean equalsAscii(String name, int start, int end) {
        if (name.length() != end - start) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) != body[start + i]) {
                return false;
            }
        }
        return true;
    }

    /** A label name of the body (ASCII, as the parser checked) as text, without copying it. */
    private static final class AsciiText implements CharSequence {
        private byte[] buf;
        private int start;
        private int end;

        AsciiText of(byte[] b, int from, int to) {
            buf = b;
            start = from;
            end = to;
            return this;
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public char charAt(int index) {
            return (char) buf[start + index];
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return toString().subSequence(from, to);
        }

        @Override
        public String toString() {
            return new String(buf, start, end - start, StandardCharsets.US_ASCII);
        }
    }
}
