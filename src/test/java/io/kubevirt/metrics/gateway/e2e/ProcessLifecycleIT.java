package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.HttpStub;
import io.kubevirt.metrics.gateway.testing.ImageFlags;
import io.kubevirt.metrics.gateway.testing.PackagedGateway.Artifact;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * How the packaged gateway ends, run with its image's flags: on SIGTERM it turns unready, finishes
 * the gather in flight and exits cleanly; on an OutOfMemoryError it exits at once, so Kubernetes
 * restarts it instead of keeping a process that accepts connections and never answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProcessLifecycleIT {
    private static final String VIRT_API = Samples.text("legacy-names/virt-api.prom");

    private final Vertx vertx = Vertx.vertx();
    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();

    @AfterAll
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void answersTheGatherInFlightWhenTerminated() throws Exception {
        try (StubTarget slow = new StubTarget(vertx, () -> VIRT_API, tls.certFile().toString(),
                tls.keyFile().toString()).delay(Duration.ofSeconds(4));
                // A pre-shutdown delay shorter than the gather: the answer must outlive the listener's close.
                PackagedGateway gateway = PackagedGateway.startWithFileTargets(
                        "- targets: ['" + slow.address() + "']\n  labels: {pod: virt-api-slow}\n", tls,
                        Map.of("quarkus.shutdown.delay", "1s"),
                        ImageFlags.withHeap(Artifact.built(), "256m"))) {
            CompletableFuture<HttpResponse<String>> answer = gateway.sendAsync(gateway.request("/metrics")
                    .header("X-Prometheus-Scrape-Timeout-Seconds", "10").build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(5)).until(() -> slow.requests() == 1);
            gateway.terminate();
            // Unready first, while the listener still answers: the Service stops routing here. (A new
            // HTTP/1.1 connection, as the kubelet probes: the HTTP/2 one of the gather is closing.)
            assertEquals(503, gateway.send(gateway.request("/q/health/ready").version(HttpClient.Version.HTTP_1_1)
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode());

            HttpResponse<String> response = answer.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            Expositions.checkValid(response.body());
            assertTrue(response.body().contains("up{instance=\"" + slow.address() + "\",pod=\"virt-api-slow\"} 1\n"),
                    response.body());
            assertTrue(response.body().contains("rest_client_requests_total{code=\"404\""), response.body());
            // The JVM ends with 143 (128 + SIGTERM) after its shutdown hooks; either way a clean stop.
            int exit = gateway.awaitExit(Duration.ofSeconds(30));
            assertTrue(exit == 0 || exit == 143, exit + "\n" + gateway.log());
            assertTrue(gateway.log().contains("kubevirt-metrics-gateway stopped in"), gateway.log());
        }
    }

    /** One body larger than the heap. */
    private static final String HUGE = "huge_gauge{i=\"0\"} 1\n".repeat(3_000_000);

    @Test
    void aBodyLargerThanTheHeapFailsItsTargetNotTheProcess() throws Exception {
        try (HttpStub target = new HttpStub(() -> HUGE);
                PackagedGateway gateway = PackagedGateway.startWithFileTargets(
                        "- targets: ['" + target.address() + "']\n  labels: {__scheme__: http}\n", tls, Map.of(),
                        ImageFlags.withHeap(Artifact.built(), "48m"))) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> answer = gateway.get("/metrics");
                assertEquals(200, answer.statusCode());
                assertTrue(answer.body().lines().anyMatch(l -> l.matches("up(\\{.*})? 0")), answer.body());
                assertTrue(answer.body().contains("reason=\"memory_budget\""), answer.body());
            }
            assertTrue(gateway.process().isAlive());
        }
    }

    @Test
    void exitsOnOutOfMemory() throws Exception {
        // With a memory budget beyond the heap (no protection), the gather cannot hold the body.
        try (HttpStub target = new HttpStub(() -> HUGE);
                PackagedGateway gateway = PackagedGateway.startWithFileTargets(
                        "- targets: ['" + target.address() + "']\n  labels: {__scheme__: http}\n", tls,
                        Map.of("gateway.scrape.memory-budget", "1G"), ImageFlags.withHeap(Artifact.built(), "48m"))) {
            try {
                gateway.send(gateway.request("/metrics").build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                // The process went away while answering: that is the point.
            }
            assertNotEquals(0, gateway.awaitExit(Duration.ofSeconds(60)), gateway.log());
            assertTrue(gateway.log().contains("OutOfMemoryError"), gateway.log());
        }
    }
}
