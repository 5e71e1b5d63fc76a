package io.kubevirt.metrics.gateway.relabel;

import java.util.function.IntUnaryOperator;

/**
 * Go's {@code strings.ToLower} and {@code strings.ToUpper}, which the lowercase and uppercase
 * actions use: every code point mapped on its own by Unicode's simple case mapping, as Go's
 * {@code unicode.ToLower} and {@code unicode.ToUpper} do. Java's {@code String} methods apply the
 * full mapping instead ({@code ß} to {@code SS}, {@code İ} to {@code i̇}, a final sigma to
 * {@code ς}), which Prometheus does not; {@code Character}'s methods are the simple mapping.
 */
final class GoCase {
    private GoCase() {
    }

    static String toLower(String value) {
        return map(value, Character::toLowerCase);
    }

    static String toUpper(String value) {
        return map(value, Character::toUpperCase);
    }

    private static String map(String value, IntUnaryOperator mapping) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            out.appendCodePoint(mapping.applyAsInt(codePoint));
            i += Character.charCount(codePoint);
        }
        return out.toString();
    }
}
