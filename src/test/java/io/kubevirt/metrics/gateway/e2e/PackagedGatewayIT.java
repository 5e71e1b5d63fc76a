package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Pods;
import io.kubevirt.metrics.gateway.testing.Promtool;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a packaged gateway must do that a JVM test in the same process cannot show: each library
 * the gateway leans on at run time (TLS with PEM files and their reload, the fabric8 informer,
 * SnakeYAML, re2j, gzip both ways, Micrometer) works in the artifact that ships. With -Dnative
 * this runs against the native executable, where missing reflection or resource configuration
 * would show; otherwise against the jar.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackagedGatewayIT {
    private static final String VIRT_API = Samples.text("legacy-names/virt-api.prom");

    private final Vertx vertx = Vertx.vertx();
    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();

    @AfterAll
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private StubTarget stub(String body) {
        return new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
    }

    /** A gateway with file_sd targets, the test certificate on both sides, and {@code extra} config. */
    private PackagedGateway fileTargets(String targets, Map<String, String> extra) throws Exception {
        return PackagedGateway.startWithFileTargets(targets, tls, extra, List.of());
    }

    private static String target(StubTarget stub, String pod) {
        return "- targets: ['" + stub.address() + "']\n  labels: {namespace: kubevirt, pod: " + pod
                + ", kubevirt_io: virt-api}\n";
    }

    @Test
    void appliesARelabelFileWithRe2Expressions() throws Exception {
        Path rules = Files.createTempFile("relabel", ".yaml");
        Files.writeString(rules, """
                relabel_configs:
                  - {source_labels: [pod], regex: 'virt-(\\w+)-(\\d+)', target_label: component, replacement: '${1}'}
                  - {source_labels: [pod], modulus: 8, target_label: shard, action: hashmod}
                  - {source_labels: [pod], regex: 'VIRT-API-.*', target_label: matched_case_sensitive, replacement: 'yes'}
                  - {source_labels: [pod], regex: '(?i)VIRT-API-.*', target_label: matched_ignoring_case, replacement: 'yes'}
                metric_relabel_configs:
                  - {source_labels: [__name__], regex: 'rest_client_requests_total|up', action: keep}
                  - {source_labels: [method], target_label: method, action: lowercase}
                  - {regex: 'host', action: labeldrop}
                """);
        try (StubTarget api = stub(VIRT_API);
                PackagedGateway gateway = fileTargets(target(api, "virt-api-1"),
                        Map.of("gateway.relabel.file", rules.toString()))) {
            String metrics = gateway.get("/metrics").body();
            List<String> requests = Expositions.lines(metrics, "rest_client_requests_total{");
            assertEquals(Expositions.lines(VIRT_API, "rest_client_requests_total{").size(), requests.size(), metrics);
            // hashmod of "virt-api-1" modulo 8, as Prometheus computes it (md5, last 8 bytes).
            List<String> stored = Expositions.series(metrics, ExpositionFormat.TEXT);
            assertTrue(stored.contains("rest_client_requests_total{code=404, component=api, instance="
                    + api.address() + ", kubevirt_io=virt-api, matched_ignoring_case=yes, method=get, "
                    + "namespace=kubevirt, pod=virt-api-1, shard=" + hashmod("virt-api-1", 8) + "} 57"),
                    String.join("\n", stored));
            assertEquals(Set.of("rest_client_requests_total", "up"), families(metrics).stream()
                    .filter(f -> !f.startsWith("kubevirt_metrics_gateway_") && !f.startsWith("scrape_"))
                    .collect(java.util.stream.Collectors.toSet()));
        }
    }

    @Test
    void gzipsBothWaysInBothFormats() throws Exception {
        try (StubTarget api = stub(VIRT_API); PackagedGateway gateway = fileTargets(target(api, "virt-api-1"), Map.of())) {
            for (ExpositionFormat format : ExpositionFormat.values()) {
                String accept = format == ExpositionFormat.OPENMETRICS ? "application/openmetrics-text" : "text/plain";
                HttpResponse<byte[]> response = gateway.send(gateway.request("/metrics").header("Accept", accept)
                        .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, response.statusCode());
                assertEquals(format.contentType(), response.headers().firstValue("Content-Type").orElse(""));
                assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElse(""), accept);
                String metrics;
                try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
                    metrics = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Expositions.checkValid(metrics, format);
                assertTrue(metrics.contains("rest_client_requests_total{code=\"404\",host=\"10.96.0.1:443\","),
                        metrics);
            }
            // The gateway asked the target for gzip, and the stub (Vert.x with compression) sent it.
            assertTrue(api.lastHeaders().get("Accept-Encoding").contains("gzip"), api.lastHeaders().toString());
        }
    }

    @Test
    void reloadsItsServingCertificate() throws Exception {
        Path dir = Files.createTempDirectory("gateway-tls");
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Files.copy(tls.certFile(), cert);
        Files.copy(tls.keyFile(), key);
        SelfSignedCertificate next = SelfSignedCertificate.generate();
        try (PackagedGateway gateway = fileTargets("[]", Map.of("gateway.tls.cert-file", cert.toString(),
                "gateway.tls.key-file", key.toString(), "quarkus.tls.reload-period", "1s"))) {
            assertEquals(certificate(tls.certFile()), gateway.servingCertificate());
            // As a Secret volume changes: both files replaced while the gateway runs.
            Files.copy(next.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(next.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
            X509Certificate expected = certificate(next.certFile());
            await().atMost(Duration.ofSeconds(20)).until(() -> expected.equals(gateway.servingCertificate()));
            assertEquals(200, gateway.get("/q/health/ready").statusCode());
        }
    }

    @Test
    void followsPodsThroughTheKubernetesApi() throws Exception {
        KubernetesMockServer kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kubernetes.init();
        try (StubTarget api = stub(VIRT_API); StubTarget handler = stub(Samples.text("current-names/virt-handler.prom"));
                NamespacedKubernetesClient client = kubernetes.createClient()) {
            client.pods().inNamespace("kubevirt").resource(Pods.onLoopback("kubevirt", "virt-api-1", "virt-api",
                    api.port())).create();
            try (PackagedGateway gateway = PackagedGateway.start(Map.of(
                    "quarkus.kubernetes-client.api-server-url", client.getMasterUrl().toString(),
                    "quarkus.kubernetes-client.trust-certs", "true",
                    "gateway.discovery.kubernetes.namespaces", "kubevirt",
                    "gateway.tls.cert-file", tls.certFile().toString(),
                    "gateway.tls.key-file", tls.keyFile().toString(),
                    "gateway.scrape.tls.ca-file", tls.certFile().toString()))) {
                gateway.awaitReady(Duration.ofSeconds(60));
                // The built-in rules give KubeVirt's ServiceMonitor labels (default-relabel.yaml, a resource).
                assertTrue(gateway.get("/metrics").body().contains("up{container=\"virt-api\",endpoint=\"metrics\","
                        + "instance=\"" + api.address() + "\",job=\"kubevirt-prometheus-metrics\",kubevirt_io=\"virt-api\","
                        + "namespace=\"kubevirt\",pod=\"virt-api-1\",service=\"kubevirt-prometheus-metrics\"} 1\n"));
                // Watched, not listed once: a pod that comes and one that goes.
                client.pods().inNamespace("kubevirt").resource(Pods.onLoopback("kubevirt", "virt-handler-x",
                        "virt-handler", handler.port()))
                        .create();
                client.pods().inNamespace("kubevirt").withName("virt-api-1").delete();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    String metrics = gateway.get("/metrics").body();
                    return metrics.contains("pod=\"virt-handler-x\"") && !metrics.contains("pod=\"virt-api-1\"");
                });
                assertTrue(gateway.get("/metrics").body().contains("kubevirt_vmi_memory_resident_bytes{"));
            }
        } finally {
            kubernetes.destroy();
        }
    }

    @Test
    void exposesItsOwnMetrics() throws Exception {
        try (StubTarget api = stub(VIRT_API); PackagedGateway gateway = fileTargets(target(api, "virt-api-1"), Map.of())) {
            gateway.get("/metrics");
            String metrics = gateway.get("/metrics").body();
            // The whole answer, the gateway's own meters included, passes promtool's lint (the
            // virt-api sample has no lint of its own).
            Promtool.checkMetricsLintClean(metrics);
            Set<String> own = new TreeSet<>(families(metrics));
            own.removeIf(f -> !f.startsWith("kubevirt_metrics_gateway_"));
            Set<String> expected = new TreeSet<>(Files.readAllLines(Path.of("src/test/resources/own-metrics.txt"))
                    .stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList());
            assertTrue(own.containsAll(expected), "missing: " + difference(expected, own));
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> rest = new TreeSet<>(a);
        rest.removeAll(b);
        return rest;
    }

    private static Set<String> families(String metrics) {
        Set<String> families = new TreeSet<>();
        for (String line : Expositions.lines(metrics, "# TYPE ")) {
            families.add(line.split(" ")[2]);
        }
        return families;
    }

    private static long hashmod(String value, int modulus) throws Exception {
        byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
        return Long.remainderUnsigned(java.nio.ByteBuffer.wrap(md5, 8, 8).getLong(), modulus);
    }

    private static X509Certificate certificate(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
