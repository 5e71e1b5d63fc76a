package io.kubevirt.metrics.gateway.relabel;

import com.google.re2j.Matcher;
import java.util.Map;

/**
 * Go's {@code regexp.Regexp.ExpandString}, which Prometheus uses for target_label and replacement:
 * {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}. A name is the longest run
 * of letters, digits and underscores, so {@code $1x} means group "1x" (absent: empty); a malformed
 * reference leaves the {@code $} as text; a group that did not take part expands to nothing.
 */
final class GoExpand {
    private GoExpand() {
    }

    static String expand(String template, Matcher match, Map<String, Integer> namedGroups) {
        if (template.indexOf('$') < 0) {
            return template;
        }
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        int n = template.length();
        while (i < n) {
            char c = template.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i < n && template.charAt(i) == '$') {
                out.append('$');
                i++;
                continue;
            }
            boolean brace = i < n && template.charAt(i) == '{';
            int nameStart = brace ? i + 1 : i;
            int nameEnd = nameStart;
            while (nameEnd < n) {
                int cp = template.codePointAt(nameEnd);
                if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') {
                    break;
                }
                nameEnd += Character.charCount(cp);
            }
            boolean ok = nameEnd > nameStart && (!brace || nameEnd < n && template.charAt(nameEnd) == '}');
            if (!ok) {
                out.append('$'); // Malformed: the '$' is plain text.
                continue;
            }
            String name = template.substring(nameStart, nameEnd);
            i = brace ? nameEnd + 1 : nameEnd;
            int group = groupNumber(name);
            if (group < 0) {
                Integer named = namedGroups.get(name);
                group = named == null ? -1 : named;
            }
            if (group >= 0 && group <= match.groupCount()) {
                String value = match.group(group);
                if (value != null) {
                    out.append(value);
                }
            }
        }
        return out.toString();
    }

    /** The group number a name stands for, or -1 when it is not a number Go accepts (no leading zero, below 1e8). */
    private static int groupNumber(String name) {
        if (name.length() > 1 && name.charAt(0) == '0') {
            return -1;
        }
        int num = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9' || num >= 100_000_000) {
                return -1;
            }
            num = num * 10 + (c - '0');
        }
        return num;
    }
}
