package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** zlib's inflate is the judge: whatever the encoder writes must read back as its input. */
class QuickDeflaterTest {
    private final QuickDeflater deflater = new QuickDeflater();

    private byte[] deflate(byte[] in, boolean last) {
        ByteSink out = new ByteSink(16);
        deflater.deflate(in, 0, in.length, last, out);
        return out.toByteArray();
    }

    /** Inflates a raw deflate stream, which must end exactly where the bytes end. */
    private static byte[] inflate(byte[] deflated, int expectedLength) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(deflated);
            byte[] out = new byte[expectedLength + 1];
            int n = 0;
            while (!inflater.finished() && n < out.length) {
                int read = inflater.inflate(out, n, out.length - n);
                assertTrue(read > 0 || inflater.finished(), "the stream stopped short at " + n);
                n += read;
            }
            assertTrue(inflater.finished(), "the stream has no end");
            assertEquals(0, inflater.getRemaining(), "bytes after the stream's end");
            return Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inflater.end();
        }
    }

    private static byte[] random(SplittableRandom random, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    static Stream<Arguments> inputs() throws IOException {
        byte[] allBytes = new byte[512];
        for (int i = 0; i < allBytes.length; i++) {
            allBytes[i] = (byte) i;
        }
        byte[] run = new byte[100_000];
        Arrays.fill(run, (byte) 'x');
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("one byte", new byte[] {'a'}),
                Arguments.of("eight bytes", "abcdabcd".getBytes()),
                Arguments.of("nine bytes", "abcdabcda".getBytes()),
                Arguments.of("every byte value twice", allBytes),
                Arguments.of("random bytes", random(new SplittableRandom(1), 100_000)),
                Arguments.of("one byte repeated", run),
                Arguments.of("an exposition", exposition()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void readsBackAsItsInput(String name, byte[] in) {
        assertArrayEquals(in, inflate(deflate(in, true), in.length));
    }

    /**
     * Random bytes with copies of earlier stretches pasted in: matches of every length at distances
     * across the window (every distance code), runs, and literals of both code lengths.
     */
    @Test
    void readsBackAnyMixOfCopiesAndLiterals() {
        for (int seed = 0; seed < 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] in = random(random, 1 + random.nextInt(120_000));
            for (int copies = random.nextInt(300); copies > 0; copies--) {
                int length = 1 + random.nextInt(random.nextBoolean() ? 16 : 600);
                int to = random.nextInt(in.length);
                int distance = 1 + random.nextInt(random.nextBoolean() ? 300 : 40_000);
                for (int i = 0; i < length && to + i < in.length && to + i >= distance; i++) {
                    in[to + i] = in[to + i - distance]; // Overlapping, as deflate allows.
                }
            }
            assertArrayEquals(in, inflate(deflate(in, true), in.length), "seed " + seed);
        }
    }

    /** The window is 32 KiB: a copy from exactly that far back is a match, one byte further is not. */
    @Test
    void matchesReachBackTheWholeWindowAndNoFurther() {
        byte[] within = random(new SplittableRandom(2), 34_000);
        byte[] beyond = within.clone();
        System.arraycopy(within, 100, within, 100 + 32_768, 200);
        System.arraycopy(beyond, 100, beyond, 100 + 32_769, 200);
        byte[] withinDeflated = deflate(within, true);
        byte[] beyondDeflated = deflate(beyond, true);
        assertArrayEquals(within, inflate(withinDeflated, within.length));
        assertArrayEquals(beyond, inflate(beyondDeflated, beyond.length));
        assertTrue(withinDeflated.length < beyondDeflated.length - 150,
                withinDeflated.length + " bytes with the copy in the window, " + beyondDeflated.length + " without");
    }

    /** Blocks that are not the last end with a sync flush, so that the next one's bytes can follow. */
    @Test
    void blocksJoinIntoOneStream() {
        byte[] text = exposition();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int[] cuts = {0, 1, 1, 5000, 20_000, text.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            ByteSink out = new ByteSink(16);
            boolean last = i + 2 == cuts.length;
            deflater.deflate(text, cuts[i], cuts[i + 1], last, out);
            byte[] block = out.toByteArray();
            if (!last) {
                assertArrayEquals(new byte[] {0, 0, (byte) 0xff, (byte) 0xff},
                        Arrays.copyOfRange(block, block.length - 4, block.length), "a sync flush ends block " + i);
            }
            joined.writeBytes(block);
        }
        assertArrayEquals(text, inflate(joined.toByteArray(), text.length));
    }

    /** Fixed codes and one candidate a match cost some ratio against zlib's fastest level, but not much. */
    @Test
    void compressesAnExpositionNearlyAsWellAsZlibsFastestLevel() {
        byte[] text = exposition();
        Deflater zlib = new Deflater(1, true);
        zlib.setInput(text);
        zlib.finish();
        byte[] buffer = new byte[text.length];
        int zlibSize = 0;
        while (!zlib.finished()) {
            zlibSize += zlib.deflate(buffer);
        }
        zlib.end();
        int quickSize = deflate(text, true).length;
        assertTrue(quickSize < text.length / 6, quickSize + " of " + text.length);
        assertTrue(quickSize < zlibSize * 1.3, quickSize + " against zlib's " + zlibSize);
    }

    /** The same input gives the same bytes, whatever the deflater did before: nothing leaks between calls. */
    @Test
    void startsEveryCallAfresh() {
        byte[] text = exposition();
        byte[] first = deflate(text, true);
        IntStream.range(0, 3).forEach(i -> deflate(random(new SplittableRandom(i), 50_000), i % 2 == 0));
        assertArrayEquals(first, deflate(text, true));
    }

    /** The built-in demo's virt-handler exposition: a real one, of KubeVirt's names. */
    private static byte[] exposition() {
        try (InputStream in = QuickDeflaterTest.class.getResourceAsStream("/demo/virt-handler.prom")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
