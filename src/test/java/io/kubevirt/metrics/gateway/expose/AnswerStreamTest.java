package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.Gzip;
import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AnswerStreamTest {
    private final ExecutorService compressors = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() {
        compressors.shutdownNow();
    }

    /** An answer of {@code size} bytes that compresses like an exposition: repetitive, but not all alike. */
    private static byte[] answer(int size) {
        SplittableRandom random = new SplittableRandom(7);
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        while (out.size() < size) {
            out.writeBytes(("kubevirt_vmi_memory_resident_bytes{name=\"vm-" + random.nextInt(1000)
                    + "\",namespace=\"team-a\"} " + random.nextInt() + "\n").getBytes());
        }
        return java.util.Arrays.copyOf(out.toByteArray(), size);
    }

    /** All chunks, each given back for reuse once read, as a connection gives them back once written. */
    private static byte[] drain(AnswerStream stream, int[] chunks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (stream.hasNext()) {
            all.writeBytes(stream.next().getBytes());
            stream.written();
            chunks[0]++;
        }
        return all.toByteArray();
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"0, 0", "1, 1", "262144, 1", "262145, 2", "5000000, 20"})
    void streamsTheAnswerInChunksOfAQuarterMegabyte(int size, int expectedChunks) {
        byte[] answer = answer(size);
        int[] chunks = {0};
        assertArrayEquals(answer, drain(new AnswerStream(FinishedAnswer.of(answer), 0, compressors), chunks));
        assertEquals(expectedChunks, chunks[0]);
    }

    /** Level 1 is the gateway's own deflate, the others zlib's. */
    @ParameterizedTest(name = "level {0}")
    @ValueSource(ints = {1, 2, 9})
    void chunksCompressedApartAreOneGzipStream(int level) {
        byte[] answer = answer(3_500_000);
        int[] chunks = {0};
        byte[] compressed = drain(new AnswerStream(FinishedAnswer.of(answer), level, compressors), chunks);
        assertEquals(14, chunks[0]);
        assertTrue(compressed.length < answer.length / 3, "compressed to " + compressed.length);
        assertArrayEquals(answer, Gzip.gunzip(compressed));
        assertEquals(1, Gzip.members(compressed), "one gzip member, as readers that stop after the first expect");
    }

    @Test
    void aHigherLevelCompressesSmaller() {
        byte[] answer = answer(1_000_000);
        int[] chunks = {0};
        byte[] fast = drain(new AnswerStream(FinishedAnswer.of(answer), 1, compressors), chunks);
        byte[] small = drain(new AnswerStream(FinishedAnswer.of(answer), 9, compressors), chunks);
        assertTrue(small.length < fast.length, small.length + " vs " + fast.length);
        assertArrayEquals(answer, Gzip.gunzip(small));
    }

    @Test
    void anEmptyAnswerIsAnEmptyGzipStream() {
        int[] chunks = {0};
        byte[] compressed = drain(new AnswerStream(FinishedAnswer.of(new byte[0]), 1, compressors), chunks);
        assertEquals(1, chunks[0]);
        assertEquals(0, Gzip.gunzip(compressed).length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        "gzip | true", "gzip, deflate, br | true", "deflate, gzip;q=0.5 | true", "GZIP | true", "* | true",
        "gzip;q=0 | false", "gzip; q=0.000 | false", "*;q=0.1, gzip;q=0 | false", "deflate | false", "identity | false",
        "'' | false", "NULL | false",
    })
    void readsAcceptEncoding(String header, boolean gzip) {
        assertEquals(gzip, Compression.acceptsGzip(header));
    }
}
