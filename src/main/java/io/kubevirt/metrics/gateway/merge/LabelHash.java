package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.ByteRuns;

/**
 * 64-bit hashes of series identities. A series' hash is the sum of the hashes of its name and of
 * its label pairs, so it does not depend on the order the labels are written in; equal hashes are
 * only a hint, confirmed by comparing the series themselves. Bytes are consumed eight at a time:
 * this runs for every label of every sample.
 */
final class LabelHash {
    private static final long K1 = 0x9e3779b97f4a7c15L;
    private static final long K2 = 0xc2b2ae3d27d4eb4fL;
    private static final long NAME_SEED = 0x243f6a8885a308d3L;
    private static final long LABEL_SEED = 0x13198a2e03707344L;
    private static final long VALUE_SEED = 0xa4093822299f31d0L;

    private LabelHash() {
    }

    /** The hash of a metric name. */
    static long name(byte[] b, int from, int to) {
        return mix(bytes(NAME_SEED, b, from, to));
    }

    /** The hash of a label pair. */
    static long pair(byte[] nameBuf, int nameFrom, int nameTo, byte[] valueBuf, int valueFrom, int valueTo) {
        return mix(bytes(LABEL_SEED, nameBuf, nameFrom, nameTo) * K2 + bytes(VALUE_SEED, valueBuf, valueFrom, valueTo));
    }

    private static long bytes(long h, byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            h = Long.rotateLeft((h ^ (long) ByteRuns.LONGS.get(b, i)) * K1, 29);
        }
        int rest = to - i;
        long tail = 0;
        if (rest > 0 && to >= 8) {
            // The last eight bytes of the array up to 'to', shifted down to the rest: names and
            // values are short, so most of them are mostly tail.
            tail = (long) ByteRuns.LONGS.get(b, to - 8) >>> (64 - 8 * rest);
        } else {
            for (int shift = 0; i < to; i++, shift += 8) {
                tail |= (b[i] & 0xffL) << shift;
            }
        }
        return Long.rotateLeft((h ^ tail) * K1, 29) ^ (to - from);
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
