package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses a chunk of an answer into one gzip member (RFC 1952: header, deflate data, CRC-32
 * and length). Members written one after the other are a valid gzip stream, which every gzip
 * reader, Go's in Prometheus among them, reads as one; so the chunks of an answer can be
 * compressed separately, on several cores. Each thread keeps its own {@link Deflater}.
 */
final class GzipMembers {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(1, true));

    private GzipMembers() {
    }

    /** The member of {@code data[0, length)} at {@code level} (1 to 9). */
    static ByteSink member(byte[] data, int length, int level) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setLevel(level);
        deflater.setInput(data, 0, length);
        deflater.finish();
        ByteSink out = new ByteSink(length / 4 + 64);
        out.write(HEADER);
        while (!deflater.finished()) {
            out.reserve(Math.max(8192, length / 8));
            out.commit(deflater.deflate(out.array(), out.size(), out.room()));
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        writeIntLittleEndian((int) crc.getValue(), out);
        writeIntLittleEndian(length, out);
        return out;
    }

    private static void writeIntLittleEndian(int value, ByteSink out) {
        for (int shift = 0; shift < 32; shift += 8) {
            out.write((byte) (value >>> shift));
        }
    }
}
