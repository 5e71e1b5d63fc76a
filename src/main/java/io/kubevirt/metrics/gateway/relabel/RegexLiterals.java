package io.kubevirt.metrics.gateway.relabel;

import java.util.ArrayList;
import java.util.List;

/**
 * The literal text every match of an anchored regex must contain, read conservatively from the
 * regex as written, so that most inputs a rule cannot match are turned away before the regular
 * expression engine runs: {@code kubevirt_vmi_memory_.*;(rhel9.*)} only matches inputs that start
 * with {@code kubevirt_vmi_memory_} and contain {@code ;} and then {@code rhel9} after it. This is
 * what makes a rule whose input changes with every series (a metric name and a VM name) cheap for
 * the series it cannot match.
 *
 * <p>The regex is a concatenation; its runs of plain characters that are neither quantified nor
 * inside a quantified group are substrings of every match, in the order written and without
 * overlap. A run that opens the regex is its prefix, one that closes it its suffix. Whatever the
 * reading is unsure of (alternation, flags, character class escapes, octal escapes, quoting,
 * nested classes) makes it give up: no literals, and the engine decides alone. Immutable.
 */
final class RegexLiterals {
    private static final RegexLiterals NONE = new RegexLiterals("", List.of(), "", false);

    private final String prefix;
    private final List<String> inner;
    private final String suffix;
    private final boolean whole;

    private RegexLiterals(String prefix, List<String> inner, String suffix, boolean whole) {
        this.prefix = prefix;
        this.inner = inner;
        this.suffix = suffix;
        this.whole = whole;
    }

    /** True when the regex is nothing but its literal: {@link #admits} is then the whole match. */
    boolean whole() {
        return whole;
    }

    /** What every match starts with; empty when unknown. */
    String prefix() {
        return prefix;
    }

    /** False when the input cannot match the regex; true says only that it may. */
    boolean admits(CharSequence input) {
        if (whole) {
            return input.length() == prefix.length() && regionEquals(input, 0, prefix);
        }
        int from = prefix.length();
        int to = input.length() - suffix.length();
        if (to < from || !regionEquals(input, 0, prefix) || !regionEquals(input, to, suffix)) {
            return false;
        }
        for (String literal : inner) {
            from = indexOf(input, literal, from, to);
            if (from < 0) {
                return false;
            }
            from += literal.length();
        }
        return true;
    }

    private static boolean regionEquals(CharSequence input, int at, String literal) {
        for (int i = 0; i < literal.length(); i++) {
            if (input.charAt(at + i) != literal.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(CharSequence input, String literal, int from, int to) {
        for (int at = from; at + literal.length() <= to; at++) {
            if (regionEquals(input, at, literal)) {
                return at;
            }
        }
        return -1;
    }

    /** The reading, as {@code prefix…inner…suffix}, or {@code =literal} for a regex that is one. */
    @Override
    public String toString() {
        if (whole) {
            return "=" + prefix;
        }
        StringBuilder out = new StringBuilder(prefix).append('…');
        inner.forEach(literal -> out.append(literal).append('…'));
        return out.append(suffix).toString();
    }

    /** Reads the literals of a regex as written (without the anchors Prometheus adds). */
    static RegexLiterals of(String regex) {
        List<Run> runs = new Scan(regex).runs();
        if (runs == null || runs.isEmpty()) {
            return NONE;
        }
        boolean opens = runs.get(0).start() == 0;
        boolean closes = runs.get(runs.size() - 1).end() == regex.length();
        if (opens && closes && runs.size() == 1) {
            return new RegexLiterals(runs.get(0).text(), List.of(), "", true);
        }
        List<String> inner = runs.subList(opens ? 1 : 0, closes ? runs.size() - 1 : runs.size()).stream()
                .map(Run::text).toList();
        return new RegexLiterals(opens ? runs.get(0).text() : "", inner,
                closes ? runs.get(runs.size() - 1).text() : "", false);
    }

    /** A run of literal characters and where it stands in the regex: from start to before end. */
    private record Run(String text, int start, int end) {
    }

    /** One left-to-right reading of a regex; {@link #runs} is null when it gave up. */
    private static final class Scan {
        private final String regex;
        private final List<Run> runs = new ArrayList<>();
        /** For each open group: how many runs there were when it opened. */
        private final List<Integer> groups = new ArrayList<>();
        private final StringBuilder run = new StringBuilder();
        private int runStart;
        /** Where in {@link #run} the last literal read starts, if the last thing read was one; else -1. */
        private int lastLiteral = -1;
        /** The runs count when the group just closed opened, if the last thing read closed one; else -1. */
        private int closedGroup = -1;

        Scan(String regex) {
            this.regex = regex;
        }

        List<Run> runs() {
            int i = 0;
            while (i < regex.length()) {
                char c = regex.charAt(i);
                int next = step(c, i);
                if (next < 0) {
                    return null;
                }
                i = next;
            }
            if (!groups.isEmpty()) {
                return null;
            }
            endRun(regex.length());
            return runs;
        }

        /** Reads what starts at {@code i}; returns where the next thing starts, or -1 to give up. */
        private int step(char c, int i) {
            switch (c) {
                case '|':
                    return -1; // An alternative may skip any literal.
                case '*', '+', '?':
                    quantified(i);
                    return i + 1;
                case '{':
                    int close = repeatEnd(i);
                    if (close < 0) {
                        return -1; // Not a repeat: RE2 reads it as a literal brace; not worth the cases.
                    }
                    quantified(i);
                    return close + 1;
                case '(':
                    if (regex.startsWith("(?", i) && !regex.startsWith("(?:", i)) {
                        return -1; // Flags such as (?i) change what a literal matches; names are rare.
                    }
                    endRun(i);
                    groups.add(runs.size());
                    return i + (regex.startsWith("(?:", i) ? 3 : 1);
                case ')':
                    if (groups.isEmpty()) {
                        return -1;
                    }
                    endRun(i);
                    closedGroup = groups.remove(groups.size() - 1);
                    return i + 1;
                case '[':
                    endRun(i);
                    return classEnd(i);
                case '.', '^', '$':
                    endRun(i);
                    return i + 1;
                case '\\':
                    return escape(i);
                default:
                    int width = Character.charCount(regex.codePointAt(i));
                    literal(regex.substring(i, i + width), i);
                    return i + width;
            }
        }

        /** An escape: punctuation stands for itself; those with arguments (\pL, \x41, octal, \Q) are not read. */
        private int escape(int i) {
            if (i + 1 >= regex.length()) {
                return -1;
            }
            char e = regex.charAt(i + 1);
            if (e < 0x80 && !Character.isLetterOrDigit(e)) {
                literal(String.valueOf(e), i);
                return i + 2;
            }
            if ("dDsSwWbBAzntrfva".indexOf(e) >= 0) {
                endRun(i); // A class, an assertion or a control character: nothing more to skip.
                return i + 2;
            }
            return -1;
        }

        private void literal(String text, int at) {
            if (run.length() == 0) {
                runStart = at;
            }
            lastLiteral = run.length();
            closedGroup = -1;
            run.append(text);
        }

        /** A quantifier: what it applies to (the last literal, or the group just closed) is optional. */
        private void quantified(int at) {
            if (lastLiteral >= 0) {
                run.setLength(lastLiteral);
            } else if (closedGroup >= 0) {
                runs.subList(closedGroup, runs.size()).clear();
            }
            endRun(at);
        }

        private void endRun(int at) {
            if (run.length() > 0) {
                runs.add(new Run(run.toString(), runStart, at));
                run.setLength(0);
            }
            lastLiteral = -1;
            closedGroup = -1;
        }

        /** The index of the '}' of a repeat {n}, {n,} or {n,m} starting at i, or -1 if it is not one. */
        private int repeatEnd(int i) {
            int j = i + 1;
            int digits = 0;
            boolean comma = false;
            for (; j < regex.length(); j++) {
                char c = regex.charAt(j);
                if (c == '}') {
                    return digits > 0 ? j : -1;
                } else if (c == ',' && !comma && digits > 0) {
                    comma = true;
                } else if (c < '0' || c > '9') {
                    return -1;
                } else {
                    digits++;
                }
            }
            return -1;
        }

        /**
         * Skips a character class starting at i; -1 for one whose end is not plain to see (a
         * nested [:alpha:] or an escape inside).
         */
        private int classEnd(int i) {
            int j = i + 1;
            if (j < regex.length() && regex.charAt(j) == '^') {
                j++;
            }
            if (j < regex.length() && regex.charAt(j) == ']') {
                j++; // A ']' right after the opening stands for itself.
            }
            for (; j < regex.length(); j++) {
                char c = regex.charAt(j);
                if (c == ']') {
                    closedGroup = -1;
                    lastLiteral = -1;
                    return j + 1;
                }
                if (c == '[' || c == '\\') {
                    return -1;
                }
            }
            return -1;
        }
    }
}
