package io.kubevirt.metrics.gateway.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteRunsTest {

    /** Equal runs of every length up to 40, at every offset, then the same with one byte changed at each position. */
    @Test
    void aByteChangedAnywhereMakesRunsDiffer() {
        Random random = new Random(7);
        for (int n = 0; n <= 40; n++) {
            byte[] run = new byte[n];
            random.nextBytes(run);
            for (int offset = 0; offset < 9; offset++) {
                byte[] a = new byte[offset + n + 9];
                byte[] b = new byte[n + 3];
                random.nextBytes(a);
                random.nextBytes(b);
                System.arraycopy(run, 0, a, offset, n);
                System.arraycopy(run, 0, b, 3, n);
                assertTrue(ByteRuns.equal(a, offset, offset + n, b, 3, 3 + n), n + " bytes at " + offset);
                for (int i = 0; i < n; i++) {
                    a[offset + i] ^= (byte) (1 << random.nextInt(8));
                    assertFalse(ByteRuns.equal(a, offset, offset + n, b, 3, 3 + n), "byte " + i + " of " + n);
                    a[offset + i] = run[i];
                }
            }
        }
    }

    @Test
    void runsOfOtherLengthsDiffer() {
        byte[] text = "namespace_name".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertFalse(ByteRuns.equal(text, 0, 9, text, 0, 10));
        assertFalse(ByteRuns.equal(text, 0, 0, text, 0, 1));
        assertTrue(ByteRuns.equal(text, 5, 5, text, 9, 9));
    }

    /** Random runs from a two-letter alphabet, so that many are equal: the same answers as Arrays.equals. */
    @Test
    void answersAsArraysEquals() {
        Random random = new Random(11);
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        int equal = 0;
        for (int t = 0; t < 200_000; t++) {
            for (int i = 0; i < 64; i++) {
                a[i] = (byte) ('a' + random.nextInt(2));
                b[i] = (byte) ('a' + random.nextInt(2));
            }
            int n = random.nextInt(25);
            int aFrom = random.nextInt(64 - n);
            int bFrom = random.nextInt(64 - n);
            System.arraycopy(a, aFrom, b, bFrom, random.nextBoolean() ? n : random.nextInt(n + 1));
            int bTo = bFrom + n + (random.nextInt(8) == 0 ? 1 : 0);
            boolean expected = Arrays.equals(a, aFrom, aFrom + n, b, bFrom, bTo);
            assertEquals(expected, ByteRuns.equal(a, aFrom, aFrom + n, b, bFrom, bTo));
            equal += expected ? 1 : 0;
        }
        assertTrue(equal > 50_000, "too few equal runs to tell: " + equal);
    }

    /**
     * Every byte value at every position of a word, among random bytes: each byte's top bit says
     * what a byte-by-byte check of the same byte says, so the first one found is exact.
     */
    @Test
    void classifiesEveryByteOfAWordAsOneAtATime() {
        Random random = new Random(13);
        byte[] word = new byte[8];
        for (int round = 0; round < 40; round++) {
            for (int value = 0; value < 256; value++) {
                for (int at = 0; at < 8; at++) {
                    random.nextBytes(word);
                    if (round % 2 == 0) { // Half the rounds among the bytes next to those it looks for.
                        for (int i = 0; i < 8; i++) {
                            word[i] = (byte) "!\"#[\\]\u007f \n\t\u000b".charAt(random.nextInt(11));
                        }
                    }
                    word[at] = (byte) value;
                    long w = (long) ByteRuns.LONGS.get(word, 0);
                    assertEquals(stopsOneByOne(word), ByteRuns.valueStops(w),
                            () -> Arrays.toString(word));
                }
            }
        }
    }

    /** The top bit of each byte of the word that is a quote, backslash, newline or not ASCII. */
    private static long stopsOneByOne(byte[] word) {
        long bits = 0;
        for (int i = 0; i < 8; i++) {
            byte b = word[i];
            if (b == '"' || b == '\\' || b == '\n' || b < 0) {
                bits |= 0x80L << (8 * i);
            }
        }
        return bits;
    }
}
