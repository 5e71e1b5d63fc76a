package io.kubevirt.metrics.gateway.parse;

import java.nio.charset.StandardCharsets;

/**
 * Escaping of label values and HELP text, as the text format 0.0.4 writes them.
 *
 * <p>The parser hands out the escaped bytes of the input. When they are already in the form 0.0.4
 * writes (label values: only {@code \\ \" \n}; HELP: only {@code \\ \n}), they are copied to the
 * output untouched. Otherwise {@link #canonicalLabelValue} and {@link #canonicalHelp} decode them
 * as the source format means them and escape them again, so the output is always strictly valid.
 */
public final class Escapes {
    private Escapes() {
    }

    /** Escapes a label value for the text format 0.0.4 (backslash, double quote, line feed). */
    public static String escapeLabelValue(String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Escapes HELP text for the text format 0.0.4 (backslash and line feed only). */
    public static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    /**
     * Decodes an escaped label value. Both formats know {@code \\ \" \n}; Prometheus keeps any
     * other backslash sequence literally, and so do we.
     */
    public static String unescapeLabelValue(byte[] buf, int start, int end) {
        return unescape(buf, start, end, true);
    }

    /** Decodes escaped HELP text of the given source format. */
    public static String unescapeHelp(byte[] buf, int start, int end, ExpositionFormat format) {
        return unescape(buf, start, end, format == ExpositionFormat.OPENMETRICS);
    }

    /** The 0.0.4 form of a label value whose escapes were not canonical. */
    public static byte[] canonicalLabelValue(byte[] buf, int start, int end) {
        return escapeLabelValue(unescapeLabelValue(buf, start, end)).getBytes(StandardCharsets.UTF_8);
    }

    /** The 0.0.4 form of HELP text of the given source format. */
    public static String canonicalHelp(byte[] buf, int start, int end, ExpositionFormat format) {
        return escapeHelp(unescapeHelp(buf, start, end, format));
    }

    /**
     * Decodes escaped UTF-8 bytes: a label value when {@code quoteEscape}, else 0.0.4 HELP text.
     * Escapes are ASCII, so they are undone on the bytes; the text is then decoded as UTF-8 (the
     * parser lets no malformed sequence through).
     */
    private static String unescape(byte[] buf, int start, int end, boolean quoteEscape) {
        byte[] out = new byte[end - start];
        int n = 0;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b == '\\' && i + 1 < end) {
                byte next = buf[i + 1];
                if (next == '\\' || next == 'n' || (next == '"' && quoteEscape)) {
                    out[n++] = next == 'n' ? (byte) '\n' : next;
                    i++;
                    continue;
                }
            }
            out[n++] = b;
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
