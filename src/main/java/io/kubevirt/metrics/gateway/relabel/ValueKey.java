package io.kubevirt.metrics.gateway.relabel;

import java.util.Arrays;

/**
 * A reusable byte string that identifies what a rule reads of a label set: the values of its
 * source labels, joined by a byte that UTF-8 text never holds. A rule compares it with the key
 * of its last run and, when they are equal, repeats that run's outcome without decoding a value
 * or running its regular expression. Not thread safe.
 */
public final class ValueKey {
    /** Never part of UTF-8 text, so joined keys are equal only when each part is. */
    private static final byte SEPARATOR = (byte) 0xff;

    private byte[] bytes = new byte[64];
    private int length;

    /** Appends {@code b[from, to)}. */
    public void append(byte[] b, int from, int to) {
        int n = to - from;
        ensure(n);
        System.arraycopy(b, from, bytes, length, n);
        length += n;
    }

    /** Appends all of {@code b}. */
    public void append(byte[] b) {
        append(b, 0, b.length);
    }

    void separate() {
        ensure(1);
        bytes[length++] = SEPARATOR;
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    void clear() {
        length = 0;
    }

    boolean contentEquals(ValueKey other) {
        return Arrays.equals(bytes, 0, length, other.bytes, 0, other.length);
    }

    boolean contentEquals(byte[] other) {
        return Arrays.equals(bytes, 0, length, other, 0, other.length);
    }

    /**
     * False when the joined text this key stands for cannot start with {@code prefix}, which must
     * be ASCII that the text format does not escape: then the key's bytes, escaped text, equal the
     * text's up to the first byte that differs from the prefix. True when it may, or when the
     * prefix reaches past the first value (the key's separator is not the rule's).
     */
    boolean mayStartWith(byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (i == length) {
                return false; // The text is shorter than the prefix.
            }
            if (bytes[i] == SEPARATOR) {
                return true;
            }
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    int hash() {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + bytes[i];
        }
        return h ^ (h >>> 16);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    void copyFrom(ValueKey other) {
        clear();
        append(other.bytes, 0, other.length);
    }
}
