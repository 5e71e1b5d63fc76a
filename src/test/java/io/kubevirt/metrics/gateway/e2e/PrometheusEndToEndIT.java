package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Pods;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * End to end with the real Prometheus: the packaged gateway discovers simulated KubeVirt pods of
 * both metric generations through a (mock) Kubernetes API, Prometheus scrapes the gateway as the
 * shipped ServiceMonitor says (HTTPS, honor_labels) and evaluates the shipped rules; the seed's
 * queries, the labels, and every PromQL expression of the dashboard and the rules are checked
 * through Prometheus' HTTP API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusEndToEndIT {
    /** Each scrape of a simulated pod adds this to every rest_client_requests_total series. */
    static final int GROWTH = 7;
    static final String LEGACY = "kubevirt";
    static final String CURRENT = "kubevirt-next";

    private final Vertx vertx = Vertx.vertx();
    private final List<HttpServer> pods = new ArrayList<>();
    private final Map<String, String> bodies = new LinkedHashMap<>();
    private KubernetesMockServer kubernetes;
    private PackagedGateway gateway;
    private PrometheusServer prometheus;
    private Path certificate;

    @BeforeAll
    void start() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        certificate = tls.certFile();
        kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kubernetes.init();
        NamespacedKubernetesClient client = kubernetes.createClient();
        pod(client, tls, LEGACY, "virt-api-7f9b8c6d5-x2x8k", "virt-api", "legacy-names/virt-api.prom");
        pod(client, tls, LEGACY, "virt-controller-5c8d7b9f6-9wq4z", "virt-controller", "legacy-names/virt-controller.prom");
        pod(client, tls, LEGACY, "virt-handler-4kzvd", "virt-handler", "legacy-names/virt-handler.prom");
        pod(client, tls, LEGACY, "virt-handler-m7tqs", "virt-handler", "legacy-names/virt-handler.prom");
        pod(client, tls, CURRENT, "virt-api-5d4c8b7f9-p2k4x", "virt-api", "current-names/virt-api.prom");
        pod(client, tls, CURRENT, "virt-controller-6b9d8c7f5-r8n2m", "virt-controller", "current-names/virt-controller.prom");
        pod(client, tls, CURRENT, "virt-handler-q9w8e", "virt-handler", "current-names/virt-handler.prom");

        gateway = PackagedGateway.start(Map.of(
                "quarkus.kubernetes-client.api-server-url", client.getMasterUrl().toString(),
                "quarkus.kubernetes-client.trust-certs", "true",
                "gateway.discovery.kubernetes.namespaces", LEGACY + "," + CURRENT,
                "gateway.tls.cert-file", tls.certFile().toString(),
                "gateway.tls.key-file", tls.keyFile().toString(),
                "gateway.scrape.tls.ca-file", tls.certFile().toString()));
        gateway.awaitReady(Duration.ofSeconds(60));

        Path rules = Files.createTempFile("rules", ".yaml");
        Files.writeString(rules, io.kubevirt.metrics.gateway.deploy.PrometheusRuleTest.ruleFile());
        // What the Prometheus Operator makes of the shipped ServiceMonitor, with a static target.
        prometheus = PrometheusServer.start("""
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: ['%s']
                scrape_configs:
                  - job_name: serviceMonitor/kubevirt/kubevirt-metrics-gateway/0
                    honor_labels: true
                    scheme: https
                    tls_config:
                      ca_file: '%s'
                      server_name: localhost
                    static_configs:
                      - targets: ['%s']
                        labels:
                          job: kubevirt-metrics-gateway
                          namespace: kubevirt
                          service: kubevirt-metrics-gateway
                          endpoint: metrics
                          pod: kubevirt-metrics-gateway-7d6f5c4b3-abcde
                          container: gateway
                """.formatted(rules, certificate, gateway.address()));
        prometheus.awaitFirstScrapes(1, Duration.ofSeconds(60));
        Thread.sleep(4000); // A few more scrapes: rate() needs two samples, rules need an evaluation.
    }

    private void pod(NamespacedKubernetesClient client, SelfSignedCertificate tls, String namespace, String name,
            String component, String sample) {
        String body = Samples.text(sample);
        bodies.put(namespace + "/" + name, body);
        AtomicInteger scrapes = new AtomicInteger();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString())
                        .setKeyPath(tls.keyFile().toString())))
                .requestHandler(request -> request.response()
                        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(grown(body, scrapes.incrementAndGet())));
        pods.add(server.listen().toCompletionStage().toCompletableFuture().join());
        client.pods().inNamespace(namespace).resource(Pods.onLoopback(namespace, name, component, server.actualPort()))
                .create();
    }

    /** The sample with every REST request counter grown by {@link #GROWTH} per scrape so far. */
    static String grown(String body, int scrapes) {
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\n")) {
            if (line.matches("(kubevirt_)?rest_client_requests_total\\{.*\\} [0-9]+")) {
                int space = line.lastIndexOf(' ');
                line = line.substring(0, space + 1) + (Long.parseLong(line.substring(space + 1)) + GROWTH * scrapes);
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Series of rest_client_requests_total (either name) with this code in the bodies of a namespace. */
    private long series(String namespace, String code) {
        return bodies.entrySet().stream().filter(e -> e.getKey().startsWith(namespace + "/"))
                .flatMap(e -> e.getValue().lines())
                .filter(l -> l.matches("(kubevirt_)?rest_client_requests_total\\{.*code=\"" + java.util.regex.Pattern
                        .quote(code) + "\".*"))
                .count();
    }

    private double value(String promql) throws Exception {
        JsonNode result = prometheus.query(promql);
        assertEquals(1, result.size(), promql + " gave " + result);
        return result.get(0).path("value").get(1).asDouble();
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
        if (kubernetes != null) {
            kubernetes.destroy();
        }
    }

    @Test
    void theSeedQueriesGiveWhatDirectScrapingGave() throws Exception {
        for (String code : List.of("404", "500", "<error>")) {
            long expected = series(LEGACY, code);
            assertTrue(expected > 0, code);
            assertEquals(expected, value("count(rate(rest_client_requests_total{service=\"kubevirt-prometheus-metrics\","
                    + "code=\"" + code + "\"}[5m]))"), code);
            // The dashboard's and the alerts' selector covers both generations.
            assertEquals(expected + series(CURRENT, code), value("count(rate({__name__=~\"(kubevirt_)?rest_client_"
                    + "requests_total\",service=\"kubevirt-prometheus-metrics\",code=\"" + code + "\"}[5m]))"), code);
        }
    }

    @Test
    void countersGrowAsThePodsSay() throws Exception {
        JsonNode rates = prometheus.query("irate(rest_client_requests_total{namespace=\"kubevirt\","
                + "kubevirt_io=\"virt-api\",code=\"404\"}[1m])");
        assertEquals(1, rates.size());
        // Each Prometheus scrape (one a second) makes the gateway scrape the pod once: GROWTH a second.
        double rate = rates.get(0).path("value").get(1).asDouble();
        assertTrue(rate > GROWTH * 0.5 && rate < GROWTH * 1.5, "rate " + rate);
    }

    @Test
    void seriesCarryTheLabelsOfKubeVirtsServiceMonitor() throws Exception {
        JsonNode result = prometheus.query("rest_client_requests_total{code=\"404\"}");
        assertEquals(series(LEGACY, "404"), result.size());
        for (JsonNode series : result) {
            JsonNode labels = series.path("metric");
            assertEquals("kubevirt", labels.path("namespace").asText());
            assertTrue(labels.path("pod").asText().startsWith(labels.path("kubevirt_io").asText() + "-"));
            assertEquals(labels.path("kubevirt_io").asText(), labels.path("container").asText());
            assertEquals("metrics", labels.path("endpoint").asText());
            assertEquals("kubevirt-prometheus-metrics", labels.path("service").asText());
            assertEquals("kubevirt-prometheus-metrics", labels.path("job").asText());
            assertTrue(labels.path("instance").asText().startsWith("127.0.0.1:"));
        }
        // Per-pod up series for every KubeVirt pod, and Prometheus' own up for the gateway.
        assertEquals(bodies.size(), value("count(up{service=\"kubevirt-prometheus-metrics\"} == 1)"));
        assertEquals(1, value("up{job=\"kubevirt-metrics-gateway\"}"));
        // A VM's own namespace survives (honor_labels).
        assertTrue(prometheus.query("kubevirt_vmi_memory_resident_bytes{namespace=\"team-a\"}").size() > 0);
    }

    @Test
    void theRulesEvaluateAndTheRecordingRuleUnifiesBothGenerations() throws Exception {
        JsonNode groups = new com.fasterxml.jackson.databind.ObjectMapper().readTree(prometheus.get("/api/v1/rules"))
                .path("data").path("groups");
        int rules = 0;
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                assertEquals("ok", rule.path("health").asText(), rule.toString());
                rules++;
            }
        }
        assertEquals(io.kubevirt.metrics.gateway.deploy.PrometheusRuleTest.expressions().size(), rules);
        JsonNode recorded = prometheus.query("count by (namespace) (kubevirt_io:rest_client_requests:rate5m)");
        assertEquals(2, recorded.size(), recorded.toString());
    }

    @Test
    void everyExpressionOfTheDashboardAndTheRulesRuns() throws Exception {
        List<String> exprs = new ArrayList<>(io.kubevirt.metrics.gateway.deploy.Dashboard.expressions());
        exprs.addAll(io.kubevirt.metrics.gateway.deploy.PrometheusRuleTest.expressions());
        for (String expr : exprs) {
            prometheus.query(expr); // Fails on a parse or evaluation error.
        }
        // The gateway's own series are there for the gateway panels.
        assertTrue(prometheus.query("kubevirt_metrics_gateway_gather_duration_seconds_bucket").size() > 0);
    }
}
