package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Gzip;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * OpenMetrics out, read back by the real Prometheus (with exemplar storage on): one pod speaks
 * OpenMetrics (KubeVirt's sample with exemplars, units and {@code _created} series), one the text
 * format. Prometheus scrapes the gateway, which answers in OpenMetrics as Prometheus asks first,
 * and the OpenMetrics pod directly as a second job, so that what arrives through the gateway can
 * be compared with what the pod itself gives. A third, big pod makes the answer several chunks long,
 * compressed apart into one gzip stream, which Prometheus must read whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenMetricsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final Vertx vertx = Vertx.vertx();
    private StubTarget openMetricsPod;
    private StubTarget textPod;
    private StubTarget bigPod;
    /** Series of the big pod: enough for an answer of several chunks. */
    private static final int BIG_SERIES = 12_000;
    private PackagedGateway gateway;
    private PrometheusServer prometheus;

    @BeforeAll
    void start() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        openMetricsPod = new StubTarget(vertx, () -> Samples.text("openmetrics.txt"), tls.certFile().toString(),
                tls.keyFile().toString()).contentType(OPENMETRICS);
        textPod = new StubTarget(vertx, () -> Samples.text("legacy-names/virt-api.prom"), tls.certFile().toString(),
                tls.keyFile().toString());
        StringBuilder big = new StringBuilder("# TYPE kubevirt_vmi_memory_resident_bytes gauge\n");
        for (int vm = 0; vm < BIG_SERIES; vm++) {
            big.append("kubevirt_vmi_memory_resident_bytes{name=\"vm-").append(vm)
                    .append("\",namespace=\"team-a\",node=\"node-1\",long_label=\"").append("x".repeat(40))
                    .append("\"} ").append(vm).append('\n');
        }
        String bigBody = big.toString();
        bigPod = new StubTarget(vertx, () -> bigBody, tls.certFile().toString(), tls.keyFile().toString());
        gateway = PackagedGateway.startWithFileTargets("""
                - targets: ['%s']
                  labels: {pod: virt-handler-om}
                - targets: ['%s']
                  labels: {pod: virt-api-text}
                - targets: ['%s']
                  labels: {pod: virt-handler-big}
                """.formatted(openMetricsPod.address(), textPod.address(), bigPod.address()), tls, Map.of(),
                List.of());
        prometheus = PrometheusServer.start("""
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: gateway
                    honor_labels: true
                    scheme: https
                    tls_config: {ca_file: '%1$s', server_name: localhost}
                    static_configs: [{targets: ['%2$s']}]
                  - job_name: direct
                    scheme: https
                    tls_config: {ca_file: '%1$s', server_name: localhost}
                    static_configs: [{targets: ['%3$s']}]
                """.formatted(tls.certFile(), gateway.address(), openMetricsPod.address()),
                "--enable-feature=exemplar-storage");
        prometheus.awaitFirstScrapes(2, Duration.ofSeconds(60));
        Thread.sleep(2000); // A scrape more, so that the first one's samples are stored.
    }

    @AfterAll
    void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (openMetricsPod != null) {
            openMetricsPod.close();
        }
        if (textPod != null) {
            textPod.close();
        }
        if (bigPod != null) {
            bigPod.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void answersInTheFormatTheClientPrefers() throws Exception {
        HttpResponse<String> openMetrics = gateway.send(gateway.request("/metrics").header("Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(OPENMETRICS, openMetrics.headers().firstValue("Content-Type").orElse(""));
        assertTrue(openMetrics.body().endsWith("# EOF\n"));
        assertTrue(openMetrics.body().contains("# UNIT kubevirt_vmi_network_receive_bytes bytes\n"),
                openMetrics.body());
        HttpResponse<String> text = gateway.get("/metrics");
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.headers().firstValue("Content-Type").orElse(""));
        assertTrue(text.body().contains("# TYPE kubevirt_vmi_network_receive_bytes_total counter\n"));
    }

    @Test
    void prometheusStoresTheTargetsExemplars() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        JsonNode data = JSON.readTree(prometheus.get("/api/v1/query_exemplars?start=1700000000&end=" + (now + 60)
                + "&query=" + URLEncoder.encode("kubevirt_rest_client_request_latency_seconds_bucket"
                        + "{job=\"gateway\",pod=\"virt-handler-om\"}", StandardCharsets.UTF_8))).path("data");
        Map<String, JsonNode> byBucket = new TreeMap<>();
        for (JsonNode series : data) {
            byBucket.put(series.path("seriesLabels").path("le").asText(), series.path("exemplars"));
        }
        assertEquals(List.of("0.005", "0.1"), List.copyOf(byBucket.keySet()), data.toString());
        JsonNode first = byBucket.get("0.005").get(0);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", first.path("labels").path("trace_id").asText());
        assertEquals("0.0041", first.path("value").asText());
        assertEquals(1712653214.771, first.path("timestamp").asDouble(), 1e-9);
        JsonNode second = byBucket.get("0.1").get(0);
        assertEquals("b7ad6b7169203331", second.path("labels").path("span_id").asText());
        assertEquals("0.0873", second.path("value").asText());
    }

    @Test
    void unitsTypesAndCreatedSeriesArriveAsThePodGivesThem() throws Exception {
        for (String family : List.of("kubevirt_vmi_network_receive_bytes", "kubevirt_vmi_vcpu_seconds",
                "kubevirt_rest_client_request_latency_seconds", "kubevirt")) {
            assertEquals(metadata("direct", family), metadata("gateway", family), family);
        }
        JsonNode receive = metadata("gateway", "kubevirt_vmi_network_receive_bytes");
        assertEquals("counter", receive.path("type").asText());
        assertEquals("bytes", receive.path("unit").asText());
        assertEquals("info", metadata("gateway", "kubevirt").path("type").asText());

        // _created series: the same values through the gateway as from the pod.
        for (String name : List.of("kubevirt_vmi_network_receive_bytes_created", "kubevirt_rest_client_requests_created",
                "kubevirt_rest_client_request_latency_seconds_created")) {
            assertEquals(values(name + "{job=\"direct\"}"), values(name + "{pod=\"virt-handler-om\"}"), name);
        }
        assertEquals(1.71178332e9, prometheus.query("kubevirt_vmi_network_receive_bytes_created{pod=\"virt-handler-om\","
                + "interface=\"default\"}").get(0).path("value").get(1).asDouble());
    }

    @Test
    void everySeriesOfThePodArrivesThroughTheGateway() throws Exception {
        Map<String, String> direct = values("{job=\"direct\",__name__=~\"kubevirt_.+\"}");
        assertTrue(direct.size() > 20, direct.toString());
        assertEquals(direct, values("{pod=\"virt-handler-om\",__name__=~\"kubevirt_.+\"}"));
        assertTrue(values("{pod=\"virt-api-text\",__name__=\"rest_client_requests_total\"}").size() > 0);
        assertEquals("1", prometheus.query("up{job=\"gateway\"}").get(0).path("value").get(1).asText());
    }

    /** Prometheus asks for gzip: an answer of several chunks, each compressed on its own, is one gzip stream. */
    @Test
    void prometheusReadsAnAnswerCompressedInParallelChunks() throws Exception {
        HttpResponse<byte[]> answer = gateway.send(gateway.request("/metrics").header("Accept-Encoding", "gzip")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(1, Gzip.members(answer.body()));
        int length = Gzip.gunzip(answer.body()).length;
        assertTrue(length > 3 * 256 * 1024, "an answer of " + length + " bytes, several chunks");
        assertEquals(String.valueOf(BIG_SERIES), prometheus.query("count(kubevirt_vmi_memory_resident_bytes"
                + "{pod=\"virt-handler-big\"})").get(0).path("value").get(1).asText());
    }

    /** The metadata Prometheus keeps of a family from the targets of a job. */
    private JsonNode metadata(String job, String family) throws Exception {
        JsonNode data = JSON.readTree(prometheus.get("/api/v1/targets/metadata?metric=" + family + "&match_target="
                + URLEncoder.encode("{job=\"" + job + "\"}", StandardCharsets.UTF_8))).path("data");
        assertEquals(1, data.size(), job + " " + family + ": " + data);
        Map<String, String> fields = new HashMap<>();
        data.get(0).fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
        fields.remove("target");
        return JSON.valueToTree(new TreeMap<>(fields));
    }

    /** Series (name and the pod's own labels, without job, instance and the target's pod) and their values. */
    private Map<String, String> values(String selector) throws Exception {
        Map<String, String> values = new TreeMap<>();
        for (JsonNode series : prometheus.query(selector)) {
            Map<String, String> labels = new TreeMap<>();
            series.path("metric").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
            labels.keySet().removeAll(List.of("job", "instance", "pod"));
            values.put(labels.toString(), series.path("value").get(1).asText());
        }
        return values;
    }
}
