package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A streamed answer over a real Vert.x connection: what is sent, and that it says once when it is done. */
class StreamedAnswerTest {
    private final Vertx vertx = Vertx.vertx();
    private final ExecutorService writers = Executors.newFixedThreadPool(2);

    @AfterEach
    void stop() throws Exception {
        writers.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendsEveryChunkThenRunsDoneOnce() throws Exception {
        byte[] answer = new byte[3 * AnswerStream.CHUNK_SIZE + 17];
        Arrays.fill(answer, (byte) 'x');
        AtomicInteger done = new AtomicInteger();
        CountDownLatch finished = new CountDownLatch(1);
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            StreamedAnswer streamed = new StreamedAnswer(new AnswerStream(FinishedAnswer.of(answer), 0, writers),
                    writers, vertx.getOrCreateContext());
            // As StreamedAnswerWriter: the end of the response is told too, and may come first.
            request.response().endHandler(v -> streamed.ended());
            streamed.sendTo(request.response(), () -> {
                done.incrementAndGet();
                finished.countDown();
            });
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.actualPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertEquals(200, response.statusCode());
        assertArrayEquals(answer, response.body());
        assertTrue(finished.await(10, TimeUnit.SECONDS), "done never ran: the request would stay suspended");
        Thread.sleep(200); // Both the end of the response and the last chunk have reported by now.
        assertEquals(1, done.get());
    }
}
