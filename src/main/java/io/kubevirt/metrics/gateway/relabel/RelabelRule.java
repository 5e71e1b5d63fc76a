package io.kubevirt.metrics.gateway.relabel;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.kubevirt.metrics.gateway.parse.Names;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Prometheus relabel_config, validated. The regular expression is RE2 (as in Go) and always
 * anchored at both ends, the way Prometheus compiles it ({@code ^(?:regex)$}), while
 * {@link #regex()} shows the pattern as the user wrote it. Immutable and thread safe.
 */
public final class RelabelRule {
    static final String DEFAULT_REGEX = "(.*)";
    static final String DEFAULT_SEPARATOR = ";";
    static final String DEFAULT_REPLACEMENT = "$1";
    private static final Pattern LABEL_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");
    /** What a target_label with references, or a labelmap replacement, must look like (Prometheus' relabelTarget). */
    private static final Pattern TEMPLATE_LABEL = Pattern.compile("^(?:(?:[a-zA-Z_]|\\$(?:\\{\\w+\\}|\\w+))+\\w*)+$");

    private final List<String> sourceLabels;
    private final String separator;
    private final String regex;
    private final Pattern pattern;
    private final Map<String, Integer> namedGroups;
    /** What every match contains: a cheap first test. */
    private final RegexLiterals literals;
    /**
     * For drop, keep and replace: the regex's prefix as the bytes of a key, when it is ASCII the
     * text format does not escape; null otherwise. An input without it is decided at once.
     */
    private final byte[] prefixKey;
    private final long modulus;
    private final String targetLabel;
    private final String replacement;
    private final RelabelAction action;

    /**
     * Builds and validates a rule; nulls stand for Prometheus' defaults.
     *
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    public RelabelRule(List<String> sourceLabels, String separator, String regex, Long modulus, String targetLabel,
            String replacement, RelabelAction action) {
        this.sourceLabels = sourceLabels == null ? List.of() : List.copyOf(sourceLabels);
        this.separator = separator == null ? DEFAULT_SEPARATOR : separator;
        this.regex = regex == null ? DEFAULT_REGEX : regex;
        this.modulus = modulus == null ? 0 : modulus;
        this.targetLabel = targetLabel == null ? "" : targetLabel;
        this.replacement = replacement == null ? DEFAULT_REPLACEMENT : replacement;
        this.action = action == null ? RelabelAction.REPLACE : action;
        for (String name : this.sourceLabels) {
            if (!Names.isLabelName(name)) {
                throw new IllegalArgumentException("source_labels: \"" + name + "\" is not a valid label name");
            }
        }
        try {
            this.pattern = Pattern.compile("^(?:" + this.regex + ")$");
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("regex: \"" + this.regex + "\" is not a valid RE2 expression: "
                    + e.getDescription());
        }
        this.namedGroups = pattern.namedGroups();
        this.literals = RegexLiterals.of(this.regex);
        this.prefixKey = prefixKey(this.action, literals.prefix());
        validate(modulus != null, separator != null, regex != null, replacement != null, sourceLabels != null);
    }

    /** A rule's prefix key (the field): null for other actions, no prefix, or one the text format escapes. */
    private static byte[] prefixKey(RelabelAction action, String prefix) {
        boolean onRegex = action == RelabelAction.DROP || action == RelabelAction.KEEP
                || action == RelabelAction.REPLACE;
        boolean plainAscii = prefix.chars().allMatch(c -> c >= ' ' && c < 0x7f && c != '\\' && c != '"');
        return onRegex && plainAscii && !prefix.isEmpty() ? prefix.getBytes(StandardCharsets.US_ASCII) : null;
    }

    /** Prometheus' relabel.Config.Validate, with its messages, prefixed by the field concerned. */
    private void validate(boolean modulusSet, boolean separatorSet, boolean regexSet, boolean replacementSet,
            boolean sourceLabelsSet) {
        RelabelAction a = action;
        if (modulus == 0 && a == RelabelAction.HASHMOD) {
            fail("modulus", "relabel configuration for hashmod requires non-zero modulus");
        }
        boolean needsTarget = a == RelabelAction.REPLACE || a == RelabelAction.HASHMOD || a == RelabelAction.LOWERCASE
                || a == RelabelAction.UPPERCASE || a == RelabelAction.KEEPEQUAL || a == RelabelAction.DROPEQUAL;
        if (needsTarget && targetLabel.isEmpty()) {
            fail("target_label", "relabel configuration for " + a + " action requires 'target_label' value");
        }
        boolean templated = targetLabel.contains("$");
        if (a == RelabelAction.REPLACE && (templated ? !TEMPLATE_LABEL.matcher(targetLabel).matches()
                : !Names.isLabelName(targetLabel))) {
            invalidTarget();
        }
        boolean plainTarget = a == RelabelAction.LOWERCASE || a == RelabelAction.UPPERCASE
                || a == RelabelAction.KEEPEQUAL || a == RelabelAction.DROPEQUAL || a == RelabelAction.HASHMOD;
        if (plainTarget && !Names.isLabelName(targetLabel)) {
            invalidTarget();
        }
        boolean caseOrEqual = a == RelabelAction.LOWERCASE || a == RelabelAction.UPPERCASE
                || a == RelabelAction.KEEPEQUAL || a == RelabelAction.DROPEQUAL;
        if (caseOrEqual && replacementSet && !replacement.equals(DEFAULT_REPLACEMENT)) {
            fail("replacement", "'replacement' can not be set for " + a + " action");
        }
        if (a == RelabelAction.LABELMAP && !TEMPLATE_LABEL.matcher(replacement).matches()) {
            fail("replacement", "\"" + replacement + "\" is invalid 'replacement' for " + a + " action");
        }
        if ((a == RelabelAction.KEEPEQUAL || a == RelabelAction.DROPEQUAL)
                // Prometheus compares the regex by identity with its default: any regex given is an error.
                && (regexSet || modulusSet && modulus != 0
                        || separatorSet && !separator.equals(DEFAULT_SEPARATOR))) {
            fail("action", a + " action requires only 'source_labels' and `target_label`, and no other fields");
        }
        if ((a == RelabelAction.LABELDROP || a == RelabelAction.LABELKEEP)
                && (sourceLabelsSet || !targetLabel.isEmpty() || modulusSet && modulus != 0
                        || separatorSet && !separator.equals(DEFAULT_SEPARATOR)
                        || replacementSet && !replacement.equals(DEFAULT_REPLACEMENT))) {
            fail("action", a + " action requires only 'regex', and no other fields");
        }
    }

    private void invalidTarget() {
        fail("target_label", "\"" + targetLabel + "\" is invalid 'target_label' for " + action + " action");
    }

    private static void fail(String field, String message) {
        throw new IllegalArgumentException(field + ": " + message);
    }

    public RelabelAction action() {
        return action;
    }

    /** The regular expression as written, without the anchors. */
    public String regex() {
        return regex;
    }

    /** What a rule that reads values does with a label set, decided from its {@link ValueKey}. */
    private record Decision(boolean keep, String setName, String setValue) {
        static final Decision KEEP = new Decision(true, null, null);
        static final Decision DROP = new Decision(false, null, null);

        static Decision keepIf(boolean keep) {
            return keep ? KEEP : DROP;
        }

        static Decision set(String name, String value) {
            return new Decision(true, name, value);
        }
    }

    /**
     * What one thread keeps of this rule between label sets: its matcher, and its decisions for
     * the last and other recent inputs. Consecutive series mostly give a rule the same input (the
     * same {@code __name__} through a family, the same target labels through a target, the same
     * label names through a family), so most runs are a comparison instead of a regular
     * expression match.
     */
    final class State {
        final Matcher matcher = pattern.matcher("");
        private final ValueKey key = new ValueKey();
        private final ValueKey lastKey = new ValueKey();
        private Decision last;
        private RecentDecisions<Decision> recent;
        /** For rules by names: the names version of the last label set, the names it touched, their mapped names. */
        private long namesVersion = LabelSet.UNKNOWN_NAMES;
        private List<String> touched;
        private List<String> mapped;
    }

    State state() {
        return new State();
    }

    /** Applies the rule to the label set, changing it in place; false when the rule drops the set. */
    boolean apply(LabelSet labels, State s) {
        if (action == RelabelAction.LABELMAP || action == RelabelAction.LABELDROP
                || action == RelabelAction.LABELKEEP) {
            applyToNames(labels, s);
            return true;
        }
        ValueKey key = s.key;
        key.clear();
        for (int i = 0; i < sourceLabels.size(); i++) {
            if (i > 0) {
                key.separate();
            }
            labels.appendKey(sourceLabels.get(i), key);
        }
        if (action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL) {
            key.separate();
            labels.appendKey(targetLabel, key);
        }
        if (prefixKey != null && !key.mayStartWith(prefixKey)) {
            // Cannot match: decided without the memory of recent inputs, which such inputs (every
            // other family's series, for a rule on one family) would only wash out.
            return action != RelabelAction.KEEP;
        }
        if (s.last == null || !s.lastKey.contentEquals(key)) {
            if (s.recent == null && s.last != null) {
                s.recent = new RecentDecisions<>(); // Only for a rule whose input changes at all.
            }
            Decision recent = s.recent == null ? null : s.recent.get(key);
            s.last = recent != null ? recent : decide(labels, s.matcher);
            if (recent == null && s.recent != null) {
                s.recent.put(key, s.last);
            }
            s.lastKey.copyFrom(key);
        }
        if (s.last.setName() != null) {
            labels.set(s.last.setName(), s.last.setValue());
        }
        return s.last.keep();
    }

    /** Decides what a rule that reads the values of its source labels (all but label*) does. */
    private Decision decide(LabelSet labels, Matcher m) {
        String value = joinedSourceValues(labels);
        switch (action) {
            case DROP:
                return Decision.keepIf(!matches(m, value));
            case KEEP:
                return Decision.keepIf(matches(m, value));
            case DROPEQUAL:
                return Decision.keepIf(!labels.value(targetLabel).equals(value));
            case KEEPEQUAL:
                return Decision.keepIf(labels.value(targetLabel).equals(value));
            case REPLACE:
                String target = find(m, value) ? GoExpand.expand(targetLabel, m, namedGroups) : null;
                return target != null && Names.isLabelName(target) // Else no match, or an invalid target label.
                        ? Decision.set(target, GoExpand.expand(replacement, m, namedGroups)) : Decision.KEEP;
            case LOWERCASE:
                return Decision.set(targetLabel, GoCase.toLower(value));
            case UPPERCASE:
                return Decision.set(targetLabel, GoCase.toUpper(value));
            case HASHMOD:
                return Decision.set(targetLabel, Long.toUnsignedString(hashmod(value, modulus)));
            default:
                throw new IllegalStateException("not a rule on values: " + action);
        }
    }

    /**
     * labelmap, labeldrop and labelkeep: which labels they touch depends on the names alone, so
     * the names this rule touched in the last label set are touched again in one with the same
     * names.
     */
    private void applyToNames(LabelSet labels, State s) {
        long version = labels.namesVersion();
        if (version == LabelSet.UNKNOWN_NAMES || version != s.namesVersion) {
            touch(labels, s);
            s.namesVersion = version;
        }
        List<String> touched = s.touched;
        if (touched.isEmpty()) {
            return;
        }
        if (action != RelabelAction.LABELMAP) {
            touched.forEach(name -> labels.set(name, ""));
            return;
        }
        // Prometheus maps the labels as they were before this rule, in the order of their names:
        // of two that map to the same name, the later one wins.
        String[] values = new String[touched.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = labels.value(touched.get(i));
        }
        for (int i = 0; i < values.length; i++) {
            labels.set(s.mapped.get(i), values[i]);
        }
    }

    /** Finds the names the rule touches (sorted) and, for labelmap, what they map to. */
    private void touch(LabelSet labels, State s) {
        boolean keep = action == RelabelAction.LABELKEEP;
        List<String> touched = new ArrayList<>();
        for (int i = 0; i < labels.nameSlots(); i++) {
            CharSequence name = labels.name(i);
            if (name != null && matches(s.matcher, name) != keep) {
                touched.add(name.toString());
            }
        }
        touched.sort(null);
        List<String> mapped = new ArrayList<>(touched.size());
        if (action == RelabelAction.LABELMAP) {
            for (String name : touched) {
                find(s.matcher, name);
                mapped.add(GoExpand.expand(replacement, s.matcher, namedGroups));
            }
        }
        s.touched = touched;
        s.mapped = mapped;
    }

    /**
     * Whether the (anchored) pattern matches the input. A literal pattern is compared, not run;
     * else see {@link #find}. The matcher's groups are only set when the engine ran.
     */
    private boolean matches(Matcher matcher, CharSequence input) {
        return literals.whole() ? literals.admits(input) : find(matcher, input);
    }

    /**
     * Resets the matcher on the input and finds the (anchored) pattern in it; inputs without the
     * pattern's literals are turned away before the regular expression engine runs.
     */
    private boolean find(Matcher matcher, CharSequence input) {
        return literals.admits(input) && matcher.reset(input).find();
    }

    private String joinedSourceValues(LabelSet labels) {
        if (sourceLabels.size() == 1) {
            return labels.value(sourceLabels.get(0));
        }
        List<String> values = new ArrayList<>(sourceLabels.size());
        for (String name : sourceLabels) {
            values.add(labels.value(name));
        }
        return String.join(separator, values);
    }

    /**
     * Prometheus' hashmod: the last 8 bytes of the MD5 digest of the value, as a big-endian
     * unsigned number, modulo {@code modulus} (also how the gateway's replicas share targets).
     */
    public static long hashmod(String value, long modulus) {
        return Long.remainderUnsigned(md5Tail(value), modulus);
    }

    private static long md5Tail(String value) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
        long result = 0;
        for (int i = 8; i < 16; i++) {
            result = (result << 8) | (digest[i] & 0xff);
        }
        return result;
    }

    @Override
    public String toString() {
        return "{action: " + action + ", source_labels: " + sourceLabels + ", regex: " + regex + ", target_label: "
                + targetLabel + ", replacement: " + replacement + "}";
    }
}
