package io.kubevirt.metrics.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/** Reading the gateway's gzip answers in tests. */
public final class Gzip {
    private Gzip() {
    }

    /** The decompressed bytes (every member, as Go's and Java's readers read them). */
    public static byte[] gunzip(byte[] gzip) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The gzip members of a body, walked one by one (headers without optional fields, as the gateway writes). */
    public static int members(byte[] gzip) {
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
}
