package io.kubevirt.metrics.gateway.expose;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * An answer on its way to the client. Its chunks (see {@link AnswerStream}) are written one at a
 * time on a writer thread and handed to the connection's event loop, which writes each straight
 * to the Vert.x response, without a copy. The next chunk is written while the connection sends
 * one, and handed over once the connection has room for it: the client's pace sets the
 * writing's, and at most one chunk waits. Sent by {@link StreamedAnswerWriter}.
 */
final class StreamedAnswer {
    private static final Logger LOG = Logger.getLogger(StreamedAnswer.class);

    private final AnswerStream chunks;
    private final Executor writers;
    /** The request's event loop, where the response is written. */
    private final Context connection;
    private HttpServerResponse response;
    private Runnable done;
    private boolean finished;

    StreamedAnswer(AnswerStream chunks, Executor writers, Context connection) {
        this.chunks = chunks;
        this.writers = writers;
        this.connection = connection;
    }

    /** Writes the answer into {@code response}, whose status and headers are set, then runs {@code done}. */
    void sendTo(HttpServerResponse response, Runnable done) {
        this.response = response;
        this.done = done;
        connection.runOnContext(v -> {
            response.setChunked(true);
            deliverWhenWritten(next());
        });
    }

    /**
     * The response ended, written or cut off (the connection closed): a writing that waits for the
     * connection to drain would otherwise wait for ever.
     */
    void ended() {
        connection.runOnContext(v -> finish());
    }

    /** Runs {@code done} once, on the event loop. */
    private void finish() {
        if (!finished) {
            finished = true;
            done.run();
        }
    }

    /** The next chunk (null at the end), written on a writer thread. */
    private CompletableFuture<Buffer> next() {
        return CompletableFuture.supplyAsync(() -> chunks.hasNext() ? chunks.next() : null, writers);
    }

    private void deliverWhenWritten(CompletableFuture<Buffer> chunk) {
        chunk.whenComplete((written, failure) -> connection.runOnContext(v -> deliver(written, failure)));
    }

    private void deliver(Buffer chunk, Throwable failure) {
        if (response.closed()) {
            finish(); // The client went away: nothing more to write.
        } else if (failure != null) {
            LOG.errorf(failure, "Writing the answer failed");
            if (response.headWritten()) {
                response.reset(); // Cut off, so that the client cannot take a part for the whole.
            } else {
                response.setStatusCode(500).end();
            }
            finish();
        } else if (chunk == null) {
            response.end();
            finish();
        } else {
            response.write(chunk).onSuccess(v -> chunks.written());
            CompletableFuture<Buffer> following = next(); // Written while this one goes out.
            if (response.writeQueueFull()) {
                response.drainHandler(v -> {
                    response.drainHandler(null); // Once: the connection drains again and again.
                    deliverWhenWritten(following);
                });
            } else {
                deliverWhenWritten(following);
            }
        }
    }
}
