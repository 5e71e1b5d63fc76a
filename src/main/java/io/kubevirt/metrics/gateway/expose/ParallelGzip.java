package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One gzip stream (RFC 1952) made of chunks compressed independently, as pigz does: each chunk is
 * raw deflate data ending on a byte boundary (a sync flush), the last one ends the deflate stream,
 * and their concatenation, between the gzip header and a trailer with the CRC-32 and the length of
 * the whole, is a single valid gzip member. So the chunks of an answer compress on several cores,
 * and every gzip reader (curl's too, which stops after a first member) reads the whole answer.
 * Each chunk starts with an empty dictionary, which costs a little ratio at 256 KB per chunk.
 */
final class ParallelGzip {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** Level 1, the fastest: the gateway's own deflate (see {@link QuickDeflater}); 2 to 9: zlib's. */
    private static final ThreadLocal<QuickDeflater> QUICK = ThreadLocal.withInitial(QuickDeflater::new);
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(2, true));

    private final int level;
    /** Of the uncompressed chunks, in order; updated by the one thread that hands the chunks over. */
    private final CRC32 crc = new CRC32();
    private long length;
    private boolean started;
    /**
     * What the last chunk compressed to, where the next one's output starts: an answer's chunks
     * compress alike (7-fold for KubeVirt's samples, 35-fold for a large cluster's answer), and a
     * chunk that needs more grows by doubling. Starting every chunk at a quarter of its size, a
     * large answer allocated 9 times its gzip. Written by the compressing threads; any recent
     * value serves.
     */
    private volatile int lastCompressedSize = AnswerStream.CHUNK_SIZE / 4;

    ParallelGzip(int level) {
        this.level = level;
    }

    /**
     * Takes the next chunk in order (on the thread that writes the answer) and returns the work
     * that compresses it, to run on any thread: its bytes of the gzip stream, with the header
     * before the first chunk and the trailer after the last.
     */
    Supplier<ByteSink> next(ByteSink chunk, boolean last) {
        crc.update(chunk.array(), 0, chunk.size());
        length += chunk.size();
        boolean first = !started;
        started = true;
        long crcValue = crc.getValue();
        long totalLength = length;
        return () -> compress(chunk, first, last, crcValue, totalLength);
    }

    private ByteSink compress(ByteSink chunk, boolean first, boolean last, long crcValue, long totalLength) {
        int expected = lastCompressedSize;
        ByteSink out = new ByteSink(expected + expected / 8 + 64);
        if (first) {
            out.write(HEADER);
        }
        if (level == 1) {
            QUICK.get().deflate(chunk.array(), 0, chunk.size(), last, out);
        } else {
            deflateWithZlib(chunk, last, out);
        }
        if (last) {
            writeIntLittleEndian((int) crcValue, out);
            writeIntLittleEndian((int) totalLength, out); // ISIZE: the length modulo 2^32.
        }
        lastCompressedSize = out.size();
        return out;
    }

    private void deflateWithZlib(ByteSink chunk, boolean last, ByteSink out) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setLevel(level);
        deflater.setInput(chunk.array(), 0, chunk.size());
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                out.reserve(Math.max(8192, chunk.size() / 8));
                out.commit(deflater.deflate(out.array(), out.size(), out.room()));
            }
        } else {
            // A sync flush ends the chunk on a byte boundary with the deflate stream still open. It
            // is done when all input is taken and the output did not fill the room given (a call
            // that only switches the level takes no input).
            boolean full;
            do {
                out.reserve(Math.max(8192, chunk.size() / 8));
                int room = out.room();
                int n = deflater.deflate(out.array(), out.size(), room, Deflater.SYNC_FLUSH);
                out.commit(n);
                full = n == room;
            } while (full || !deflater.needsInput());
        }
    }

    private static void writeIntLittleEndian(int value, ByteSink out) {
        for (int shift = 0; shift < 32; shift += 8) {
            out.write((byte) (value >>> shift));
        }
    }
}
