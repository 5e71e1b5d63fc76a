package io.kubevirt.metrics.gateway.relabel;

import java.util.Locale;

/** The actions of a Prometheus relabel_config, named and parsed (case-insensitively) as Prometheus does. */
public enum RelabelAction {
    /** Sets target_label to the expanded replacement when regex matches the joined source values. */
    REPLACE,
    /** Drops the label set when regex does not match the joined source values. */
    KEEP,
    /** Drops the label set when regex matches the joined source values. */
    DROP,
    /** Drops the label set when target_label's value differs from the joined source values. */
    KEEPEQUAL,
    /** Drops the label set when target_label's value equals the joined source values. */
    DROPEQUAL,
    /** Sets target_label to the MD5 of the joined source values (last 8 bytes, big-endian) modulo modulus. */
    HASHMOD,
    /** Copies every label whose name matches regex to the name given by the expanded replacement. */
    LABELMAP,
    /** Removes every label whose name matches regex. */
    LABELDROP,
    /** Removes every label whose name does not match regex. */
    LABELKEEP,
    /** Sets target_label to the joined source values in lower case. */
    LOWERCASE,
    /** Sets target_label to the joined source values in upper case. */
    UPPERCASE;

    /** The action named by a config value, or null. */
    static RelabelAction of(String name) {
        for (RelabelAction action : values()) {
            if (action.name().equalsIgnoreCase(name)) {
                return action;
            }
        }
        return null;
    }

    /** The name as written in Prometheus configuration. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
