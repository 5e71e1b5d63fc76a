package io.kubevirt.metrics.gateway.parse;

/** Metric and label name rules of the text format 0.0.4 (Prometheus' legacy name validation). */
public final class Names {
    private Names() {
    }

    /** {@code [a-zA-Z_][a-zA-Z0-9_]*} */
    public static boolean isLabelName(String name) {
        return isName(name, false);
    }

    /** {@code [a-zA-Z_:][a-zA-Z0-9_:]*} */
    public static boolean isMetricName(String name) {
        return isName(name, true);
    }

    private static boolean isName(String name, boolean colon) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 127 || !(i == 0 ? ExpositionParser.isNameStart((byte) c, colon)
                    : ExpositionParser.isNameChar((byte) c, colon))) {
                return false;
            }
        }
        return true;
    }
}
