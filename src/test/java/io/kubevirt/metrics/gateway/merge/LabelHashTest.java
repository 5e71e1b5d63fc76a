package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Equal bytes hash equally wherever they are: a series read from a body and the same series
 * written anew into another buffer must be found equal, whichever way the tail was read.
 */
class LabelHashTest {

    @Property(tries = 2000)
    void equalBytesHashEquallyAtAnyPosition(@ForAll @Size(max = 40) byte[] text,
            @ForAll @IntRange(max = 12) int before, @ForAll @IntRange(max = 12) int after,
            @ForAll byte filler) {
        byte[] at = new byte[before + text.length + after];
        java.util.Arrays.fill(at, filler);
        System.arraycopy(text, 0, at, before, text.length);
        assertEquals(LabelHash.name(text, 0, text.length), LabelHash.name(at, before, before + text.length));
        assertEquals(LabelHash.pair(text, 0, text.length, at, before, before + text.length),
                LabelHash.pair(at, before, before + text.length, text, 0, text.length));
    }

    @Property(tries = 500)
    void theBytesAroundDoNotCount(@ForAll @Size(min = 1, max = 20) byte[] text, @ForAll byte a, @ForAll byte b) {
        byte[] first = new byte[text.length + 16];
        byte[] second = new byte[text.length + 16];
        java.util.Arrays.fill(first, a);
        java.util.Arrays.fill(second, b);
        System.arraycopy(text, 0, first, 8, text.length);
        System.arraycopy(text, 0, second, 8, text.length);
        assertEquals(LabelHash.name(first, 8, 8 + text.length), LabelHash.name(second, 8, 8 + text.length));
    }

    @Property(tries = 500)
    void aLastByteChangedChangesTheHash(@ForAll @Size(min = 1, max = 20) byte[] text) {
        byte[] changed = text.clone();
        changed[changed.length - 1]++;
        assertNotEquals(LabelHash.name(text, 0, text.length), LabelHash.name(changed, 0, changed.length));
    }
}
