package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    private static byte[] drain(AnswerStream stream, int[] chunks) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (stream.hasNext()) {
            all.writeBytes(stream.next().getBytes());
            chunks[0]++;
        }
        return all.toByteArray();
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"0, 0", "1, 1", "262144, 1", "262145, 2", "5000000, 20"})
    void streamsTheAnswerInChunksOfAQuarterMegabyte(int size, int expectedChunks) {
        byte[] answer = answer(size);
        int[] chunks = {0};
        assertArrayEquals(answer, drain(new AnswerStream(AnswerStream.of(answer), 0, compressors), chunks));
        assertEquals(expectedChunks, chunks[0]);
    }

    @Test
    void chunksCompressedApartAreOneGzipStream() throws IOException {
        byte[] answer = answer(3_500_000);
        int[] chunks = {0};
        byte[] compressed = drain(new AnswerStream(AnswerStream.of(answer), 1, compressors), chunks);
        assertEquals(14, chunks[0]);
        assertTrue(compressed.length < answer.length / 3, "compressed to " + compressed.length);
        assertArrayEquals(answer, gunzip(compressed));
        assertEquals(1, members(compressed), "one gzip member, as readers that stop after the first expect");
    }

    @Test
    void aHigherLevelCompressesSmaller() throws IOException {
        byte[] answer = answer(1_000_000);
        int[] chunks = {0};
        byte[] fast = drain(new AnswerStream(AnswerStream.of(answer), 1, compressors), chunks);
        byte[] small = drain(new AnswerStream(AnswerStream.of(answer), 9, compressors), chunks);
        assertTrue(small.length < fast.length, small.length + " vs " + fast.length);
        assertArrayEquals(answer, gunzip(small));
    }

    @Test
    void anEmptyAnswerIsAnEmptyGzipStream() throws IOException {
        int[] chunks = {0};
        byte[] compressed = drain(new AnswerStream(AnswerStream.of(new byte[0]), 1, compressors), chunks);
        assertEquals(1, chunks[0]);
        assertEquals(0, gunzip(compressed).length);
    }

    private static byte[] gunzip(byte[] gzip) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    /** The gzip members of a body, walked one by one (headers without optional fields, as the gateway writes). */
    static int members(byte[] gzip) {
        int members = 0;
        int offset = 0;
        while (offset < gzip.length) {
            assertEquals(0x1f8b, ((gzip[offset] & 0xff) << 8) | (gzip[offset + 1] & 0xff), "a member at " + offset);
            Inflater inflater = new Inflater(true);
            inflater.setInput(gzip, offset + 10, gzip.length - offset - 10);
            byte[] out = new byte[64 * 1024];
            try {
                while (!inflater.finished()) {
                    inflater.inflate(out);
                }
            } catch (DataFormatException e) {
                throw new AssertionError(e);
            }
            offset = gzip.length - inflater.getRemaining() + 8; // After the CRC-32 and the length.
            inflater.end();
            members++;
        }
        return members;
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
