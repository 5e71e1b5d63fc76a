package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two Prometheus replicas scrape the gateway at different moments; with gateway.scrape.min-interval
 * the pods are scraped once per interval, however many ask.
 */
class MinIntervalIT {

    @Test
    void answersRequestsWithinTheIntervalWithTheLastGather() throws Exception {
        Vertx vertx = Vertx.vertx();
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        try (StubTarget pod = new StubTarget(vertx, () -> Samples.text("legacy-names/virt-api.prom"),
                tls.certFile().toString(), tls.keyFile().toString());
                PackagedGateway gateway = PackagedGateway.startWithFileTargets("- targets: ['" + pod.address()
                        + "']\n  labels: {pod: virt-api-1}\n", tls, Map.of("gateway.scrape.min-interval", "5s"),
                        List.of())) {
            HttpResponse<String> first = gateway.get("/metrics");
            Thread.sleep(1000); // The second replica, a second later.
            HttpResponse<String> second = gateway.get("/metrics");
            assertEquals(200, first.statusCode());
            assertEquals(first.body(), second.body());
            assertTrue(first.body().contains("rest_client_requests_total{"), first.body());
            assertEquals(1, pod.requests(), "the pod was scraped once");

            Thread.sleep(4500); // The interval is over: the next request gathers again.
            HttpResponse<String> third = gateway.get("/metrics");
            assertEquals(2, pod.requests());
            assertTrue(third.body().contains("kubevirt_metrics_gateway_requests_reused_total 1.0"), third.body());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
