package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.kubevirt.metrics.gateway.testing.ReviewingApiServer;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gate in the packaged gateway (natively too, where the TokenReview and SubjectAccessReview
 * models must be registered for JSON): the mock API server answers for an admin and a tenant of
 * team-a; two stub pods, one per tenant namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIT {
    private final Vertx vertx = Vertx.vertx();
    private final KubernetesMockServer apiServer = new KubernetesMockServer(false);
    private PackagedGateway gateway;
    private SelfSignedCertificate tls;

    @BeforeAll
    void start() throws Exception {
        apiServer.init();
        ReviewingApiServer.answer(apiServer::expect, Map.of("admin-token", "admin", "tenant-token", "alice"),
                (user, spec) -> user.equals("admin")
                        ? spec.path("nonResourceAttributes").path("path").asText().equals("/metrics")
                        : spec.path("resourceAttributes").path("namespace").asText().equals("team-a"));

        tls = SelfSignedCertificate.generate();
        String body = Samples.text("legacy-names/virt-handler.prom");
        StubTarget a = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
        StubTarget b = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
        Path rules = Files.createTempFile("relabel", ".yaml");
        Files.writeString(rules, "honor_labels: false\n"); // Each target's series in its own namespace.
        gateway = PackagedGateway.startWithFileTargets("""
                - targets: ['%s']
                  labels: {namespace: team-a, pod: virt-handler-a}
                - targets: ['%s']
                  labels: {namespace: team-b, pod: virt-handler-b}
                """.formatted(a.address(), b.address()), tls, Map.of(
                "gateway.auth.enabled", "true",
                "gateway.relabel.file", rules.toString(),
                "quarkus.kubernetes-client.api-server-url", apiServer.createClient().getMasterUrl().toString()),
                List.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        apiServer.destroy();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        var request = gateway.request(path);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return gateway.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void asksTheApiServerWhoMayReadWhat() throws Exception {
        assertEquals(401, get("/metrics", null).statusCode());
        assertEquals(401, get("/metrics", "forged-token").statusCode());
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/metrics", "admin-token").body()
                .contains("pod=\"virt-handler-b\""));
        String all = get("/metrics", "admin-token").body();
        assertTrue(all.contains("namespace=\"team-a\"") && all.contains("kubevirt_metrics_gateway_"));

        HttpResponse<String> tenant = get("/metrics", "tenant-token");
        assertEquals(200, tenant.statusCode());
        Expositions.checkValid(tenant.body());
        assertTrue(tenant.body().contains("kubevirt_vmi_memory_resident_bytes{"), tenant.body());
        assertFalse(tenant.body().contains("team-b") || tenant.body().contains("kubevirt_metrics_gateway_"));
        assertEquals(403, get("/api/v1/targets", "tenant-token").statusCode());
        assertEquals(200, get("/api/v1/targets", "admin-token").statusCode());
        assertEquals(200, get("/q/health/ready", null).statusCode());
    }

    /**
     * The real Prometheus through the gate, as a ServiceMonitor with a bearer token scrapes: each
     * job's token decides what it gets, and a job without one is down.
     */
    @Test
    void prometheusScrapesWithItsBearerToken() throws Exception {
        try (PrometheusServer prometheus = PrometheusServer.start("""
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: admin
                    scheme: https
                    authorization: {credentials: admin-token}
                    tls_config: {ca_file: '%1$s', server_name: localhost}
                    static_configs: [{targets: ['%2$s']}]
                  - job_name: tenant
                    scheme: https
                    authorization: {credentials: tenant-token}
                    tls_config: {ca_file: '%1$s', server_name: localhost}
                    static_configs: [{targets: ['%2$s']}]
                  - job_name: anonymous
                    scheme: https
                    tls_config: {ca_file: '%1$s', server_name: localhost}
                    static_configs: [{targets: ['%2$s']}]
                """.formatted(tls.certFile(), gateway.address()))) {
            prometheus.awaitFirstScrapes(3, Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(30)).until(() -> count(prometheus,
                    "kubevirt_vmi_memory_resident_bytes{job=\"admin\",namespace=\"team-b\"}") > 0);
            // Prometheus' own up has no pod label; the gateway's up of each target has one.
            assertEquals(1, count(prometheus, "up{job=\"admin\",pod=\"\"} == 1"));
            assertEquals(1, count(prometheus, "up{job=\"tenant\",pod=\"\"} == 1"));
            assertEquals(1, count(prometheus, "up{job=\"anonymous\",pod=\"\"} == 0"));
            assertEquals(2, count(prometheus, "up{job=\"admin\",pod=~\"virt-handler-.\"} == 1"));
            assertEquals(1, count(prometheus, "up{job=\"tenant\",pod=~\"virt-handler-.\"} == 1"));
            assertTrue(count(prometheus, "kubevirt_vmi_memory_resident_bytes{job=\"tenant\",namespace=\"team-a\"}") > 0);
            assertEquals(0, count(prometheus, "kubevirt_vmi_memory_resident_bytes{job=\"tenant\",namespace=\"team-b\"}"));
            assertEquals(0, count(prometheus, "{job=\"tenant\",__name__=~\"kubevirt_metrics_gateway_.+\"}"));
        }
    }

    /** How many series the instant query returns. */
    private static int count(PrometheusServer prometheus, String promql) throws Exception {
        return prometheus.query(promql).size();
    }
}
