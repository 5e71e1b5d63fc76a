package io.kubevirt.metrics.gateway.config;

import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * The gateway's boolean keys. SmallRye reads any word it does not know as false (with only a
 * warning), so a typo such as {@code verify-hostname=ture} would quietly turn a check off; this
 * takes the words SmallRye knows and fails start-up on any other, naming the key and the value.
 */
public final class StrictBoolean implements Converter<Boolean> {
    private static final Set<String> TRUE = Set.of("true", "1", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("false", "0", "no", "n", "off");

    @Override
    public Boolean convert(String value) {
        String word = word(value);
        if (TRUE.contains(word)) {
            return Boolean.TRUE;
        }
        if (FALSE.contains(word)) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException("\"" + value + "\" is not a boolean: set true or false");
    }

    /**
     * Whether a value reads as true; false for any other word, valid or not (the mapping reports a
     * word that is not).
     */
    static boolean isTrue(String value) {
        return value != null && TRUE.contains(word(value));
    }

    private static String word(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }
}
