package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * An answer as a sequence of chunks, written only when the connection asks for the next one
 * ({@link StreamedAnswer} asks once it has room for it), so that an answer is never whole in
 * memory and a slow client holds back the writing instead of piling up buffers. With gzip, each
 * chunk is compressed on {@code compressors} while the next chunk is written (see
 * {@link ParallelGzip}): the two cores work at once, and at most three chunks are in flight.
 * Chunk arrays are used again once written out (see {@link #written}) or compressed: an answer
 * allocates three or four of them, not one per chunk.
 */
final class AnswerStream implements Iterator<Buffer> {
    /**
     * Big enough that per-chunk costs vanish, small enough that chunks in flight cost little, and
     * below half a G1 region (1 MB under a heap of 2 GB or less): larger arrays are "humongous",
     * and allocating them one after the other sets off concurrent marking over and over.
     */
    static final int CHUNK_SIZE = 256 * 1024;

    /** What the answer is written from: {@code fill} writes until {@code out} holds {@code limit} bytes or the end. */
    interface Source {
        /** @return true while there is more to write */
        boolean fill(ByteSink out, int limit);
    }

    private final Source source;
    /** The gzip stream the chunks go into, or null for no compression. */
    private final ParallelGzip gzip;
    private final Executor compressors;
    private final ArrayDeque<CompletableFuture<Buffer>> ahead = new ArrayDeque<>(2);
    private boolean more = true;
    /** Uncompressed chunks handed out and not yet written, oldest first. */
    private final Queue<byte[]> sending = new ConcurrentLinkedQueue<>();
    /** Chunk arrays free to be written into again. */
    private final Queue<byte[]> spare = new ConcurrentLinkedQueue<>();

    AnswerStream(Source source, int gzipLevel, Executor compressors) {
        this.source = source;
        this.gzip = gzipLevel > 0 ? new ParallelGzip(gzipLevel) : null;
        this.compressors = compressors;
    }

    @Override
    public boolean hasNext() {
        writeAhead();
        return !ahead.isEmpty();
    }

    @Override
    public Buffer next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        CompletableFuture<Buffer> first = ahead.poll();
        if (gzip != null) {
            writeAhead(); // The next chunk is written while the first one is still compressing.
        }
        return first.join();
    }

    /**
     * Tells that the oldest chunk handed out by {@link #next} is written out (its bytes are no
     * longer needed), so that its array can take another chunk. Any thread.
     */
    void written() {
        byte[] array = sending.poll();
        if (array != null) {
            spare.add(array);
        }
    }

    /**
     * With gzip, keeps one chunk ahead being compressed while another is written; the last chunk
     * goes out even when empty: it ends the gzip stream. Without, writes the next chunk only.
     */
    private void writeAhead() {
        while (more && ahead.size() < (gzip != null ? 2 : 1)) {
            byte[] array = spare.poll();
            ByteSink chunk = array != null ? ByteSink.reusing(array) : new ByteSink(CHUNK_SIZE + CHUNK_SIZE / 16);
            more = source.fill(chunk, CHUNK_SIZE);
            if (gzip != null) {
                Supplier<ByteSink> compression = gzip.next(chunk, !more);
                ahead.add(CompletableFuture.supplyAsync(() -> {
                    Buffer compressed = buffer(compression.get());
                    spare.add(chunk.array());
                    return compressed;
                }, compressors));
            } else if (chunk.size() > 0) {
                sending.add(chunk.array());
                ahead.add(CompletableFuture.completedFuture(buffer(chunk)));
            } else {
                spare.add(chunk.array());
            }
        }
    }

    private static Buffer buffer(ByteSink sink) {
        return Buffer.buffer(Unpooled.wrappedBuffer(sink.array(), 0, sink.size()));
    }
}
