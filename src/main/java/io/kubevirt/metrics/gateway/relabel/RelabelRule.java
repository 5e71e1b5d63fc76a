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
import java.util.SortedMap;

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
    /** What every match starts with (see {@link #literalPrefix}): a cheap first test. */
    private final String prefix;
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
        this.prefix = literalPrefix(this.regex);
        validate(modulus != null, separator != null, regex != null, replacement != null, sourceLabels != null);
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

    /** What a rule does to a label set. */
    enum Effect { UNCHANGED, DROP, CHANGES }

    /**
     * What one thread keeps of this rule between series: its matcher, scratch space, and the last
     * input with its outcome. Consecutive series mostly give a rule the same input (the same
     * {@code __name__} through a family, the same target labels through a target), so most
     * checks are a comparison instead of a regular expression match.
     */
    final class State {
        final Matcher matcher = pattern.matcher("");
        private final StringBuilder value = new StringBuilder(64);
        private final StringBuilder other = new StringBuilder(64);
        private final StringBuilder key = new StringBuilder(64);
        private final StringBuilder lastKey = new StringBuilder(64);
        private Effect lastEffect;
        private String lastReplaceInput;
        private String lastReplaceTarget;
        private String lastReplaceResult;
    }

    State state() {
        return new State();
    }

    /**
     * What this rule would do to the labels, decided without changing them or building strings:
     * the fast path of metric relabeling. Conservative: CHANGES may also mean "sets a label to the
     * value it has".
     */
    Effect preview(LabelView labels, State s) {
        boolean byName = action == RelabelAction.LABELMAP || action == RelabelAction.LABELDROP
                || action == RelabelAction.LABELKEEP;
        StringBuilder key = s.key;
        key.setLength(0);
        if (byName) {
            for (int i = 0; i < labels.size(); i++) {
                labels.name(i, key.append(','));
            }
        } else {
            s.value.setLength(0);
            for (int i = 0; i < sourceLabels.size(); i++) {
                if (i > 0) {
                    s.value.append(separator);
                }
                labels.value(sourceLabels.get(i), s.value);
            }
            s.other.setLength(0);
            if (!targetLabel.isEmpty()) {
                labels.value(targetLabel, s.other);
            }
            key.append(s.value).append('\0').append(s.other);
        }
        if (s.lastEffect != null && s.lastKey.compareTo(key) == 0) {
            return s.lastEffect;
        }
        Effect effect = byName ? previewNames(labels, s) : previewValue(s.value, s.other, s.matcher);
        s.lastKey.setLength(0);
        s.lastKey.append(key);
        s.lastEffect = effect;
        return effect;
    }

    private Effect previewNames(LabelView labels, State s) {
        boolean keep = action == RelabelAction.LABELKEEP;
        for (int i = 0; i < labels.size(); i++) {
            s.other.setLength(0);
            labels.name(i, s.other);
            if (find(s.matcher, s.other) != keep) {
                return Effect.CHANGES;
            }
        }
        return Effect.UNCHANGED;
    }

    private Effect previewValue(StringBuilder value, StringBuilder target, Matcher matcher) {
        switch (action) {
            case DROP:
                return find(matcher, value) ? Effect.DROP : Effect.UNCHANGED;
            case KEEP:
                return find(matcher, value) ? Effect.UNCHANGED : Effect.DROP;
            case DROPEQUAL:
            case KEEPEQUAL:
                boolean equal = target.compareTo(value) == 0;
                return equal == (action == RelabelAction.DROPEQUAL) ? Effect.DROP : Effect.UNCHANGED;
            case REPLACE:
                return find(matcher, value) ? Effect.CHANGES : Effect.UNCHANGED;
            case LOWERCASE:
            case UPPERCASE:
                return sameCase(value, target, action == RelabelAction.LOWERCASE) ? Effect.UNCHANGED : Effect.CHANGES;
            default:
                return Effect.CHANGES; // hashmod sets its target label.
        }
    }

    /**
     * Resets the matcher on the input and finds the (anchored) pattern in it; inputs without the
     * pattern's literal prefix are turned away before the regular expression engine runs.
     */
    private boolean find(Matcher matcher, CharSequence input) {
        int n = prefix.length();
        if (input.length() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (input.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return matcher.reset(input).find();
    }

    /**
     * The literal text every match of the anchored regex starts with, conservatively: the leading
     * characters that are no syntax, when the regex has no alternation anywhere (which could make
     * them optional), less the last one unless the whole regex is literal: what follows may make
     * it optional ({@code ab*}, {@code ab{0,1}}, and in RE2 even {@code ab(?i)?}). Empty when unsure.
     */
    static String literalPrefix(String regex) {
        if (regex.indexOf('|') >= 0) {
            return "";
        }
        int end = 0;
        while (end < regex.length() && "\\.[](){}*+?^$|".indexOf(regex.charAt(end)) < 0) {
            end++;
        }
        if (end < regex.length() && end > 0) {
            end = regex.offsetByCodePoints(end, -1); // RE2 quantifies code points, not UTF-16 chars.
        }
        return regex.substring(0, end);
    }

    /** True when {@code target} is {@code value} in lower (upper) case; ASCII only, else false (conservative). */
    private static boolean sameCase(CharSequence value, CharSequence target, boolean lower) {
        if (value.length() != target.length()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 127 || (lower ? Character.toLowerCase(c) : Character.toUpperCase(c)) != target.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Applies the rule to a label set, changing it in place; false when the rule drops the set.
     * Setting a label to the empty string removes it, as Prometheus' label builder does.
     */
    boolean apply(SortedMap<String, String> labels, State state) {
        String value = joinedSourceValues(labels);
        switch (action) {
            case DROP:
                return !matches(value, state);
            case KEEP:
                return matches(value, state);
            case DROPEQUAL:
                return !labels.getOrDefault(targetLabel, "").equals(value);
            case KEEPEQUAL:
                return labels.getOrDefault(targetLabel, "").equals(value);
            case REPLACE:
                replace(labels, value, state);
                return true;
            case LOWERCASE:
                set(labels, targetLabel, GoCase.toLower(value));
                return true;
            case UPPERCASE:
                set(labels, targetLabel, GoCase.toUpper(value));
                return true;
            case HASHMOD:
                set(labels, targetLabel, Long.toUnsignedString(hashmod(value, modulus)));
                return true;
            case LABELMAP:
                for (Map.Entry<String, String> label : List.copyOf(labels.entrySet())) {
                    Matcher m = state.matcher;
                    if (find(m, label.getKey())) {
                        set(labels, GoExpand.expand(replacement, m, namedGroups), label.getValue());
                    }
                }
                return true;
            case LABELDROP:
            case LABELKEEP:
                boolean drop = action == RelabelAction.LABELDROP;
                labels.keySet().removeIf(name -> matches(name, state) == drop);
                return true;
            default:
                throw new IllegalStateException("unknown relabel action " + action);
        }
    }

    private void replace(SortedMap<String, String> labels, String value, State state) {
        if (!value.equals(state.lastReplaceInput)) {
            Matcher m = state.matcher;
            boolean found = find(m, value);
            String target = found ? GoExpand.expand(targetLabel, m, namedGroups) : null;
            state.lastReplaceTarget = target != null && Names.isLabelName(target) ? target : null;
            state.lastReplaceResult = state.lastReplaceTarget == null ? null : GoExpand.expand(replacement, m,
                    namedGroups);
            state.lastReplaceInput = value;
        }
        if (state.lastReplaceTarget != null) { // Else no match (no replacement) or an invalid target label.
            set(labels, state.lastReplaceTarget, state.lastReplaceResult);
        }
    }

    private boolean matches(String value, State state) {
        return find(state.matcher, value);
    }

    private String joinedSourceValues(Map<String, String> labels) {
        if (sourceLabels.size() == 1) {
            return labels.getOrDefault(sourceLabels.get(0), "");
        }
        List<String> values = new ArrayList<>(sourceLabels.size());
        for (String name : sourceLabels) {
            values.add(labels.getOrDefault(name, ""));
        }
        return String.join(separator, values);
    }

    private static void set(SortedMap<String, String> labels, String name, String value) {
        if (value.isEmpty()) {
            labels.remove(name);
        } else {
            labels.put(name, value);
        }
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
