package io.kubevirt.metrics.gateway.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Runs of bytes read several at a time: the parser and the merger look at every byte of every
 * body, and at label names (mostly under 16 bytes) many times per series, where
 * {@code Arrays.equals}' vectorized set-up costs more than the comparison itself.
 */
public final class ByteRuns {
    /** Eight bytes of a byte[] as one little-endian long, at any offset. */
    public static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Four bytes of a byte[] as one little-endian int, at any offset. */
    public static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;
    private static final long LOW = 0x7f7f7f7f7f7f7f7fL;

    private ByteRuns() {
    }

    /**
     * Whether {@code a[aFrom, aTo)} and {@code b[bFrom, bTo)} hold the same bytes: a long at a
     * time, the last one overlapping the one before (an int, or bytes, for runs under eight).
     */
    public static boolean equal(byte[] a, int aFrom, int aTo, byte[] b, int bFrom, int bTo) {
        int n = aTo - aFrom;
        if (n != bTo - bFrom) {
            return false;
        }
        if (n >= 8) {
            for (int i = 0; i < n - 8; i += 8) {
                if ((long) LONGS.get(a, aFrom + i) != (long) LONGS.get(b, bFrom + i)) {
                    return false;
                }
            }
            return (long) LONGS.get(a, aTo - 8) == (long) LONGS.get(b, bTo - 8);
        }
        if (n >= 4) {
            return (int) INTS.get(a, aFrom) == (int) INTS.get(b, bFrom)
                    && (int) INTS.get(a, aTo - 4) == (int) INTS.get(b, bTo - 4);
        }
        for (int i = 0; i < n; i++) {
            if (a[aFrom + i] != b[bFrom + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The top bit of each byte of {@code word} (eight bytes read by {@link #LONGS}) that is a
     * double quote, a backslash, a newline or not ASCII: where the scan of a label value must
     * stop. Zero when there is none; the lowest set bit is the first.
     */
    public static long valueStops(long word) {
        long ascii = word & LOW;
        return (equalTo(ascii, '"') | equalTo(ascii, '\\') | equalTo(ascii, '\n') | word) & HIGH;
    }

    /**
     * The top bit of each byte of {@code ascii} (bytes 0 to 0x7f) that is {@code c}. A byte plus
     * {@code 0x80 - c} reaches its top bit exactly when it is at least c, plus {@code 0x7f - c}
     * when it is more than c, and neither sum leaves its byte: each byte's answer is exact, not
     * only the first one's, as with the usual zero-byte trick.
     */
    private static long equalTo(long ascii, int c) {
        return (ascii + (0x80 - c) * ONES) & ~(ascii + (0x7f - c) * ONES) & HIGH;
    }
}
