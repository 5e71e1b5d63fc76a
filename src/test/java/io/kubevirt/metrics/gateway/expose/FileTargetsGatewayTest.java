package io.kubevirt.metrics.gateway.expose;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.FileTargetsResource;
import io.kubevirt.metrics.gateway.testing.GatewayHttps;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The gateway with file_sd discovery: what a user without Kubernetes, and the demo, run. Also run
 * against the packaged artifact by {@link FileTargetsGatewayIT}.
 */
@QuarkusTest
@QuarkusTestResource(value = FileTargetsResource.class, restrictToAnnotatedClass = true)
class FileTargetsGatewayTest {

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    private RequestSpecification https() {
        return GatewayHttps.https(base);
    }

    private String metrics() {
        return GatewayHttps.metrics(base);
    }

    @Test
    void servesTheGoodTargetAndReportsTheBrokenOne() throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> metrics().contains(FileTargetsResource.GOOD_POD));
        String metrics = metrics();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("rest_client_requests_total{code=\"404\"")
                && l.contains("pod=\"" + FileTargetsResource.GOOD_POD + "\"") && l.endsWith(" 57")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("up{") && l.contains(FileTargetsResource.BROKEN_POD)
                && l.endsWith("} 0")), metrics);
        assertTrue(metrics.contains("kubevirt_metrics_gateway_scrape_errors_total{reason=\"parse\""));
        // The file was read: discovery in sync, its two targets known, both scraped.
        assertTrue(metrics.contains("kubevirt_metrics_gateway_discovery_up{source=\"file\"} 1.0\n"), metrics);
        assertTrue(metrics.contains("kubevirt_metrics_gateway_targets{source=\"file\"} 2.0\n"), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("kubevirt_metrics_gateway_discovery_last_sync_timestamp_seconds"
                + "{source=\"file\"} 1.")), metrics);
        List<String> samples = Expositions.checkValid(metrics);
        assertTrue(samples.contains("kubevirt_metrics_gateway_gather_duration_seconds_count"), samples.toString());
    }

    @Test
    void isReadyOnceTheFileWasRead() {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> https().get("/q/health/ready").then()
                .statusCode(200).body(containsString("\"file\": \"ready\"")));
        https().get("/q/health/live").then().statusCode(200);
        https().get("/q/health/started").then().statusCode(200);
    }

    @Test
    void plainHttpGetsNoMetrics() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI plain = URI.create("http://" + base.getHost() + ":" + base.getPort() + "/metrics");
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(plain)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(response.statusCode() >= 400 && !response.body().contains("rest_client_requests_total"),
                    "plain HTTP answered " + response.statusCode());
        } catch (IOException | InterruptedException e) {
            // The TLS listener closes the plain connection: no metrics either way.
        }
        // No plain-HTTP listener on the HTTP port the tests configure.
        int httpPort = ConfigProvider.getConfig().getOptionalValue("quarkus.http.test-port", Integer.class).orElse(8081);
        assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + httpPort + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()));
    }
}
