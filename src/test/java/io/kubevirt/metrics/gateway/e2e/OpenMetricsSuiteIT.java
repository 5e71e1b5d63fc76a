package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.merge.SeriesLabeling;
import io.kubevirt.metrics.gateway.merge.TargetExpositionReader;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.testing.CasePods;
import io.kubevirt.metrics.gateway.testing.OpenMetricsSuite;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official OpenMetrics suite through the packaged gateway: each of the 211 cases is a pod of
 * its own serving OpenMetrics. A case that must parse is up; one that must not is down alone, its
 * reason {@code parse} and the line and what is wrong in its lastError; and the answer, with
 * every series of the good cases, is valid OpenMetrics to the gateway's own strict reading and to
 * Prometheus 3.5, which scrapes it.
 */
class OpenMetricsSuiteIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachCaseFailsOrPassesAloneAndTheAnswerStaysValid() throws Exception {
        List<OpenMetricsSuite.Case> cases = OpenMetricsSuite.cases();
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        try (CasePods pods = new CasePods(cases.stream().map(OpenMetricsSuite.Case::body).toList(),
                "application/openmetrics-text; version=1.0.0; charset=utf-8", tls);
                PackagedGateway gateway = PackagedGateway.startWithFileTargets(pods.fileTargets(), tls, Map.of(),
                        List.of())) {
            HttpResponse<byte[]> answer = gateway.send(gateway.request("/metrics")
                    .header("Accept", "application/openmetrics-text;version=1.0.0").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, answer.statusCode());
            byte[] body = answer.body();
            TargetExpositionReader.read(body, body.length, ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE);

            List<String> wrong = new ArrayList<>();
            JsonNode targets = JSON.readTree(gateway.get("/api/v1/targets").body()).path("data").path("activeTargets");
            assertEquals(cases.size(), targets.size());
            for (JsonNode target : targets) {
                OpenMetricsSuite.Case c = cases.get(CasePods.number(target.path("labels").path("pod").asText()));
                String health = target.path("health").asText();
                String error = target.path("lastError").asText();
                boolean right = c.shouldParse() ? health.equals("up")
                        : health.equals("down") && error.matches("parse: line \\d+: .+");
                if (!right) {
                    wrong.add(c.name() + ": " + health + " " + error);
                }
            }
            assertTrue(wrong.isEmpty(), String.join("\n", wrong));

            try (PrometheusServer prometheus = PrometheusServer.start3("""
                    global: {scrape_interval: 2s, scrape_timeout: 2s}
                    scrape_configs:
                      - job_name: gateway
                        honor_labels: true
                        scheme: https
                        tls_config: {ca_file: '%s', server_name: localhost}
                        static_configs: [{targets: ['%s']}]
                    """.formatted(tls.certFile(), gateway.address()))) {
                prometheus.awaitFirstScrapes(1, Duration.ofSeconds(60));
                JsonNode target = JSON.readTree(prometheus.get("/api/v1/targets")).path("data").path("activeTargets")
                        .path(0);
                assertEquals("up", target.path("health").asText(), target.toString());
            }
        }
    }
}
