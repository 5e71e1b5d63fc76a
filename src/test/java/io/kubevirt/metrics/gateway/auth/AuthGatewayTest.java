package io.kubevirt.metrics.gateway.auth;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.GatewayHttps;
import io.kubevirt.metrics.gateway.testing.ReviewingApiServer;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The data endpoints behind the gate, with the fabric8 mock API server answering TokenReviews and
 * SubjectAccessReviews for an admin (get on /metrics), a tenant of team-a (get on KubeVirt's
 * virtualmachineinstances there), a user without rights and an invalid token; last, the API
 * server goes away. Two stub pods, one in team-a and one in team-b.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = false)
@QuarkusTestResource(value = AuthGatewayTest.Targets.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthGatewayTest {
    private static final String ADMIN = "system:serviceaccount:monitoring:prometheus-k8s";

    @KubernetesTestServer
    KubernetesServer apiServer;

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    /** Stub pods of two tenants, discovered from a file, and the gate on. */
    public static class Targets implements QuarkusTestResourceLifecycleManager {
        private Vertx vertx;

        @Override
        public Map<String, String> start() {
            SelfSignedCertificate tls = SelfSignedCertificate.generate();
            vertx = Vertx.vertx();
            String body = Samples.text("legacy-names/virt-handler.prom");
            StubTarget a = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
            StubTarget b = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
            try {
                Path file = Files.createTempFile("targets", ".yaml");
                Files.writeString(file, """
                        - targets: ['%s']
                          labels: {namespace: team-a, pod: virt-handler-a}
                        - targets: ['%s']
                          labels: {namespace: team-b, pod: virt-handler-b}
                        """.formatted(a.address(), b.address()));
                // Without honor_labels the target's namespace wins over the VMs' own: each target's
                // series are in its namespace only.
                Path rules = Files.createTempFile("relabel", ".yaml");
                Files.writeString(rules, "honor_labels: false\n");
                return Map.of(
                        "gateway.auth.enabled", "true",
                        "gateway.discovery.kubernetes.enabled", "false",
                        "gateway.discovery.file", file.toString(),
                        "gateway.relabel.file", rules.toString(),
                        "gateway.tls.self-signed", "false",
                        "gateway.tls.cert-file", tls.certFile().toString(),
                        "gateway.tls.key-file", tls.keyFile().toString(),
                        "gateway.scrape.tls.ca-file", tls.certFile().toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @BeforeEach
    void answerReviews() {
        ReviewingApiServer.answer(apiServer::expect, Map.of("admin-token", ADMIN, "tenant-token", "alice",
                "nobody-token", "bob", "late-token", "bob"), (user, spec) -> {
                    JsonNode resource = spec.path("resourceAttributes");
                    return user.equals(ADMIN)
                            ? spec.path("nonResourceAttributes").path("path").asText().equals("/metrics")
                                    && spec.path("nonResourceAttributes").path("verb").asText().equals("get")
                            : user.equals("alice") && resource.path("namespace").asText().equals("team-a")
                                    && resource.path("group").asText().equals("kubevirt.io")
                                    && resource.path("resource").asText().equals("virtualmachineinstances")
                                    && resource.path("verb").asText().equals("get");
                });
    }

    private Response get(String path, String token) {
        RequestSpecification request = GatewayHttps.https(base);
        if (token != null) {
            request = request.header("Authorization", "Bearer " + token);
        }
        return request.get(path);
    }

    @Test
    @Order(1)
    void givesEverythingToWhomMayGetMetrics() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> get("/metrics", "admin-token").asString()
                .contains("pod=\"virt-handler-b\""));
        Response response = get("/metrics", "admin-token");
        assertEquals(200, response.statusCode());
        String metrics = response.asString();
        Expositions.checkValid(metrics);
        assertTrue(metrics.contains("namespace=\"team-a\"") && metrics.contains("namespace=\"team-b\""));
        assertTrue(metrics.contains("kubevirt_metrics_gateway_gather_duration_seconds"));
        assertEquals(200, get("/api/v1/targets", "admin-token").statusCode());
        assertEquals(200, get("/targets", "admin-token").statusCode());
    }

    @Test
    @Order(2)
    void givesATenantOnlyItsNamespace() throws Exception {
        Response response = get("/metrics", "tenant-token");
        assertEquals(200, response.statusCode());
        String metrics = response.asString();
        Expositions.checkValid(metrics);
        assertTrue(metrics.contains("kubevirt_vmi_memory_resident_bytes{"), metrics);
        for (String line : metrics.lines().filter(l -> !l.startsWith("#")).toList()) {
            assertTrue(line.contains("namespace=\"team-a\""), line);
        }
        assertFalse(metrics.contains("team-b") || metrics.contains("kubevirt_metrics_gateway_")
                || metrics.contains("virt-handler-b"), metrics);
        // The targets API and page are for full access only.
        assertEquals(403, get("/api/v1/targets", "tenant-token").statusCode());
        assertEquals(403, get("/targets", "tenant-token").statusCode());
    }

    @Test
    @Order(3)
    void turnsAwayWhomItDoesNotKnowOrWhoMayReadNothing() {
        Response none = get("/metrics", null);
        assertEquals(401, none.statusCode());
        assertFalse(none.asString().contains("kubevirt_"));
        // Whatever form of the path reaches the resource, the gate is in front of it.
        for (String path : new String[] {"/metrics/", "//metrics", "/./metrics", "/api/v1/targets/"}) {
            Response other = get(path, null);
            assertFalse(other.statusCode() == 200 || other.asString().contains("kubevirt_"), path);
        }
        assertEquals(401, get("/metrics", "forged-token").statusCode());
        assertEquals(401, get("/api/v1/targets", null).statusCode());
        Response nobody = get("/metrics", "nobody-token");
        assertEquals(403, nobody.statusCode());
        assertFalse(nobody.asString().contains("kubevirt_"));
        // Micrometer's own endpoint is closed: its series are behind the gate in /metrics.
        assertEquals(404, get("/q/metrics", null).statusCode());
        assertEquals(404, get("/q/metrics", "admin-token").statusCode());
        // The kubelet's probes need no token.
        assertEquals(200, get("/q/health/ready", null).statusCode());
        assertEquals(200, get("/q/health/live", null).statusCode());
    }

    /** A flood of bad tokens does not become a flood of TokenReviews: a refused token is remembered a while. */
    @Test
    @Order(4)
    void remembersARefusedTokenForAWhile() {
        int before = ReviewingApiServer.TOKEN_REVIEWS.get();
        for (int i = 0; i < 20; i++) {
            assertEquals(401, get("/metrics", "flood-token").statusCode());
        }
        assertEquals(1, ReviewingApiServer.TOKEN_REVIEWS.get() - before);
    }

    @Test
    @Order(5)
    void failsClosedWhenTheApiServerCannotBeAsked() {
        apiServer.after(); // The API server goes away.
        Response response = get("/metrics", "late-token");
        assertEquals(500, response.statusCode());
        assertFalse(response.asString().contains("kubevirt_"));
    }
}
