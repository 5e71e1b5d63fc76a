package io.kubevirt.metrics.gateway.merge;

/**
 * 64-bit hashes of series identities. A series' hash is the sum of the hashes of its name and of
 * its label pairs, so it does not depend on the order the labels are written in; equal hashes are
 * only a hint, confirmed by comparing the series themselves.
 */
final class LabelHash {
    private static final long SEED = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private LabelHash() {
    }

    static long bytes(long h, byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            h = (h ^ b[i]) * PRIME;
        }
        return h;
    }

    /** The hash of a metric name. */
    static long name(byte[] b, int from, int to) {
        return mix(bytes(SEED, b, from, to));
    }

    /** The hash of a label pair; {@code prefix} (may be empty) is written before the name. */
    static long pair(byte[] prefix, byte[] nameBuf, int nameFrom, int nameTo, byte[] valueBuf, int valueFrom,
            int valueTo) {
        long h = bytes(SEED ^ 0x9e3779b97f4a7c15L, prefix, 0, prefix.length);
        h = bytes(h, nameBuf, nameFrom, nameTo);
        h = (h ^ 0xff) * PRIME; // '=' never occurs in a name: separates name from value.
        return mix(bytes(h, valueBuf, valueFrom, valueTo));
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
