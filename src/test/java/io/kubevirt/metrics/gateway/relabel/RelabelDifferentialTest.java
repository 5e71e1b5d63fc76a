package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.YamlTree;
import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.expose.GatherPipeline;
import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.SampleLimits;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.testing.HttpStub;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.kubevirt.metrics.gateway.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Relabeling differential test: every case of relabel/cases.yaml is run by the real Prometheus
 * (one instance per case, scraping three stub pods through static_configs that carry
 * kubernetes_sd-like meta labels) and by the gateway's pipeline on the same bodies with the same
 * rules; the series Prometheus stores (from /federate) must be the series the gateway outputs,
 * report series included, values included (but for scrape durations and series-added counts).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelabelDifferentialTest {
    private static final String JOB = "diff";
    private static final Set<String> VALUES_DIFFER = Set.of("scrape_duration_seconds", "scrape_series_added");

    private final List<Case> cases = new ArrayList<>();
    private final Map<String, String> bodies = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> targets = new LinkedHashMap<>();
    private final Map<String, String> stored = new TreeMap<>();
    private final List<HttpStub> stubs = new ArrayList<>();

    record Case(String name, boolean honorLabels, String relabelConfigs, String metricRelabelConfigs) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    void runPrometheus() throws Exception {
        loadCases();
        stub("legacy-names/virt-api.prom", Map.of(
                "__meta_kubernetes_namespace", "kubevirt",
                "__meta_kubernetes_pod_name", "virt-api-7f9b8c6d5-x2x8k",
                "__meta_kubernetes_pod_label_kubevirt_io", "virt-api",
                "__meta_kubernetes_pod_container_port_name", "metrics",
                "namespace", "kubevirt",
                "team", "équipe-données"));
        stub("legacy-names/virt-handler.prom", Map.of(
                "__meta_kubernetes_namespace", "kubevirt",
                "__meta_kubernetes_pod_name", "virt-handler-4kzvd",
                "__meta_kubernetes_pod_label_kubevirt_io", "virt-handler",
                "__meta_kubernetes_pod_node_name", "worker-1",
                "namespace", "kubevirt"));
        stub("../relabel/edge-target.prom", Map.of(
                "__meta_kubernetes_pod_name", "edge-0",
                "__meta_kubernetes_pod_label_team", "Straße-İstanbul-ΣΟΦΟΣ-ﬁ",
                "pod", "edge-0"));
        // One Prometheus per case, all at once: each scrapes the three stubs every second.
        Map<Case, PrometheusServer> servers = new LinkedHashMap<>();
        try {
            for (Case c : cases) {
                servers.put(c, PrometheusServer.start(prometheusConfig(c)));
            }
            for (PrometheusServer server : servers.values()) {
                server.awaitFirstScrapes(targets.size(), Duration.ofSeconds(60));
            }
            Thread.sleep(1500); // One more scrape interval: every first scrape is stored.
            for (Map.Entry<Case, PrometheusServer> server : servers.entrySet()) {
                stored.put(server.getKey().name(), server.getValue().federate());
            }
        } finally {
            for (PrometheusServer server : servers.values()) {
                server.close();
            }
        }
    }

    @AfterAll
    void stopStubs() {
        stubs.forEach(HttpStub::close);
    }

    Stream<Case> cases() throws IOException {
        if (cases.isEmpty()) {
            loadCases();
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theGatewayStoresWhatPrometheusStores(Case c) throws Exception {
        Set<String> prometheus = series(stored.get(c.name()));
        Set<String> gateway = series(gateway(c));
        assertEquals(String.join("\n", prometheus), String.join("\n", gateway), c.name());
        assertTrue(c.name().equals("keep nothing") || gateway.size() > 10, "little to compare in " + c.name());
    }

    private void loadCases() throws IOException {
        cases.clear();
        Object list = YamlTree.read(Samples.text("../relabel/cases.yaml"));
        for (Object item : (List<?>) list) {
            Map<?, ?> c = (Map<?, ?>) item;
            cases.add(new Case((String) c.get("name"), !"false".equals(c.get("honor_labels")),
                    (String) c.get("relabel_configs"), (String) c.get("metric_relabel_configs")));
        }
    }

    private void stub(String sample, Map<String, String> labels) throws IOException {
        String body = Samples.text(sample);
        HttpStub stub = new HttpStub(() -> body);
        stubs.add(stub);
        bodies.put(stub.address(), body);
        targets.put(stub.address(), labels);
    }

    private String prometheusConfig(Case c) {
        StringBuilder config = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: %s
                    honor_labels: %s
                    static_configs:
                """.formatted(JOB, c.honorLabels()));
        targets.forEach((address, labels) -> {
            config.append("      - targets: ['").append(address).append("']\n        labels:\n");
            labels.forEach((k, v) -> config.append("          ").append(k).append(": '").append(v).append("'\n"));
        });
        appendRules(config, "relabel_configs", c.relabelConfigs(), "    ");
        appendRules(config, "metric_relabel_configs", c.metricRelabelConfigs(), "    ");
        return config.toString();
    }

    private static void appendRules(StringBuilder out, String key, String rules, String indent) {
        if (rules != null) {
            out.append(indent).append(key).append(":\n");
            rules.lines().forEach(line -> out.append(indent).append("  ").append(line).append('\n'));
        }
    }

    /** The gateway's output for the case: the same targets as Prometheus', discovered as a file_sd source would. */
    private String gateway(Case c) throws IOException, ParseException {
        StringBuilder yaml = new StringBuilder("honor_labels: " + c.honorLabels() + "\n");
        appendRules(yaml, "relabel_configs", c.relabelConfigs(), "");
        appendRules(yaml, "metric_relabel_configs", c.metricRelabelConfigs(), "");
        RelabelConfig config = RelabelConfig.parse(new ByteArrayInputStream(yaml.toString()
                .getBytes(StandardCharsets.UTF_8)), c.name());
        List<DiscoveredTarget> discovered = new ArrayList<>();
        targets.forEach((address, labels) -> {
            Map<String, String> all = new LinkedHashMap<>(labels);
            // What Prometheus adds to a static target before relabeling.
            all.put("__address__", address);
            all.put("job", JOB);
            all.put("__scheme__", "http");
            all.put("__metrics_path__", "/metrics");
            all.put("__scrape_interval__", "1s");
            all.put("__scrape_timeout__", "1s");
            discovered.add(new DiscoveredTarget(all));
        });
        GatherPipeline pipeline = new GatherPipeline(0, SampleLimits.NONE);
        List<GatherPipeline.Outcome> outcomes = new ArrayList<>();
        for (ScrapeTarget target : GatherPipeline.targets(discovered, config.targetRules()).active()) {
            byte[] body = bodies.get(target.host() + ":" + target.port()).getBytes(StandardCharsets.UTF_8);
            outcomes.add(pipeline.read(new ScrapeResult(target, body, body.length, "text/plain; version=0.0.4",
                    0.01, null, null), config));
        }
        ByteSink out = new ByteSink(1 << 16);
        pipeline.merge(outcomes, config, new byte[0]).write(ExpositionFormat.TEXT, out);
        return out.toString();
    }

    /**
     * The series of an exposition as Prometheus stores them: labels sorted, empty ones gone; with
     * the value, except for the report series whose values depend on timing.
     */
    static Set<String> series(String exposition) throws ParseException {
        byte[] b = exposition.getBytes(StandardCharsets.UTF_8);
        ExpositionParser parser = new ExpositionParser(b, b.length, ExpositionFormat.TEXT);
        Set<String> series = new TreeSet<>();
        ExpositionParser.Entry entry;
        while ((entry = parser.next()) != null) {
            if (entry != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            String name = new String(b, parser.nameStart(), parser.nameEnd() - parser.nameStart(),
                    StandardCharsets.UTF_8);
            TreeMap<String, String> labels = new TreeMap<>();
            for (int i = 0; i < parser.labelCount(); i++) {
                String value = new String(b, parser.labelValueStart(i), parser.labelValueEnd(i)
                        - parser.labelValueStart(i), StandardCharsets.UTF_8);
                if (!value.isEmpty()) {
                    labels.put(new String(b, parser.labelNameStart(i), parser.labelNameEnd(i)
                            - parser.labelNameStart(i), StandardCharsets.UTF_8), value);
                }
            }
            String value = parser.specialValue() != null ? new String(parser.specialValue(), StandardCharsets.US_ASCII)
                    : Double.toString(Double.parseDouble(new String(b, parser.valueStart(), parser.valueEnd()
                            - parser.valueStart(), StandardCharsets.US_ASCII)));
            series.add(name + labels + (VALUES_DIFFER.contains(name) ? "" : " " + value));
        }
        return series;
    }
}
