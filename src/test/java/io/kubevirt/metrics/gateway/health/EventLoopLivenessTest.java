package io.kubevirt.metrics.gateway.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopLivenessTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void failsWhileOneEventLoopIsStuckAndRecoversAfter() throws Exception {
        EventLoopLiveness liveness = new EventLoopLiveness(vertx, Duration.ofMillis(1500));
        liveness.start();
        assertEquals(HealthCheckResponse.Status.UP, liveness.call().getStatus());

        CountDownLatch release = new CountDownLatch(1);
        ((VertxInternal) vertx).getEventLoopGroup().next().execute(() -> {
            try {
                release.await(); // A blocked event loop, as a bug or a dead thread would leave it.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> liveness.call().getStatus() == HealthCheckResponse.Status.DOWN);
        assertEquals(1L, liveness.call().getData().orElseThrow().get("stuck"));

        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> liveness.call().getStatus() == HealthCheckResponse.Status.UP);
    }
}
