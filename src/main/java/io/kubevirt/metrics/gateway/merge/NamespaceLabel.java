package io.kubevirt.metrics.gateway.merge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Finds the {@code namespace} label on a sample line as the merger writes it
 * ({@code name{a="1",namespace="x"} 1 ...}: labels in braces, values escaped, so that a double
 * quote inside a value is always {@code \"}): only a label name at a label boundary counts, never
 * text inside another label's value.
 */
public final class NamespaceLabel {
    private static final byte[] NAME = "namespace".getBytes(StandardCharsets.US_ASCII);

    private NamespaceLabel() {
    }

    /**
     * Where the escaped value of the namespace label is on {@code line[start, end)}: its start in
     * the high 32 bits, its end in the low ones; -1 when the series has no such label.
     */
    public static long find(byte[] line, int start, int end) {
        int i = start;
        while (i < end && line[i] != '{' && line[i] != ' ') {
            i++;
        }
        if (i >= end || line[i] != '{') {
            return -1;
        }
        i++;
        while (i < end && line[i] != '}') {
            int nameStart = i;
            while (i < end && line[i] != '=') {
                i++;
            }
            int valueStart = i + 2; // After ="
            int j = valueStart;
            while (j < end && line[j] != '"') {
                j += line[j] == '\\' ? 2 : 1;
            }
            if (i - nameStart == NAME.length && Arrays.equals(line, nameStart, i, NAME, 0, NAME.length)) {
                return (long) valueStart << 32 | j;
            }
            i = j + 1;
            if (i < end && line[i] == ',') {
                i++;
            }
        }
        return -1;
    }
}
