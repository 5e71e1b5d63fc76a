package io.kubevirt.metrics.gateway.expose;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * A tenant's view of the merged exposition: only the series whose {@code namespace} label is one
 * of the tenant's namespaces, each family's HELP, TYPE (and UNIT) only where a series of it
 * remains, and OpenMetrics' {@code # EOF}. Works on the merger's own output (either format, one
 * series a line, metadata before a family's samples, label values escaped), so a line scan suffices.
 */
final class NamespaceFilter {
    private static final byte[] LABEL = "namespace=\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EOF = "# EOF".getBytes(StandardCharsets.US_ASCII);

    private NamespaceFilter() {
    }

    /** The values of the namespace label in the exposition. */
    static Set<String> namespaces(byte[] text, int length) {
        Set<String> namespaces = new TreeSet<>();
        for (int start = 0; start < length; ) {
            int end = lineEnd(text, start, length);
            String namespace = text[start] == '#' ? null : namespace(text, start, end);
            if (namespace != null) {
                namespaces.add(namespace);
            }
            start = end + 1;
        }
        return namespaces;
    }

    /** The series of these namespaces, with their families' HELP and TYPE. */
    static byte[] keep(byte[] text, int length, Set<String> namespaces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(length, 1 << 20));
        int headerStart = -1; // The pending HELP/TYPE block of the current family, not written yet.
        int headerEnd = -1;
        boolean inHeader = false;
        for (int start = 0; start < length; ) {
            int end = lineEnd(text, start, length);
            int next = Math.min(end + 1, length);
            if (end - start == EOF.length && regionEquals(text, start, EOF)) {
                out.write(text, start, next - start);
            } else if (text[start] == '#') {
                if (!inHeader) {
                    headerStart = start;
                    inHeader = true;
                }
                headerEnd = next;
            } else {
                inHeader = false;
                String namespace = namespace(text, start, end);
                if (namespace != null && namespaces.contains(namespace)) {
                    if (headerStart >= 0) {
                        out.write(text, headerStart, headerEnd - headerStart);
                        headerStart = -1;
                    }
                    out.write(text, start, next - start);
                }
            }
            start = next;
        }
        return out.toByteArray();
    }

    private static int lineEnd(byte[] text, int start, int length) {
        int end = start;
        while (end < length && text[end] != '\n') {
            end++;
        }
        return end;
    }

    /** The namespace label's value of a sample line, or null; only a label name at a label boundary counts. */
    private static String namespace(byte[] text, int start, int end) {
        int i = start;
        while (i < end && text[i] != '{' && text[i] != ' ') {
            i++;
        }
        if (i >= end || text[i] != '{') {
            return null;
        }
        i++;
        while (i < end && text[i] != '}') {
            int nameStart = i;
            while (i < end && text[i] != '=') {
                i++;
            }
            boolean isNamespace = i - nameStart + 2 == LABEL.length && regionEquals(text, nameStart, LABEL);
            int valueStart = i + 2; // After ="
            int j = valueStart;
            while (j < end && text[j] != '"') {
                j += text[j] == '\\' ? 2 : 1;
            }
            if (isNamespace) {
                return new String(text, valueStart, j - valueStart, StandardCharsets.UTF_8);
            }
            i = j + 1;
            if (i < end && text[i] == ',') {
                i++;
            }
        }
        return null;
    }

    private static boolean regionEquals(byte[] text, int from, byte[] expected) {
        for (int k = 0; k < expected.length; k++) {
            if (from + k >= text.length || text[from + k] != expected[k]) {
                return false;
            }
        }
        return true;
    }
}
