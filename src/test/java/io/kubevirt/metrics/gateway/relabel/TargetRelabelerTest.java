package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.discovery.PodTargets;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.testing.Pods;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetRelabelerTest {

    @Test
    void theBuiltInRulesGiveTheLabelsOfKubeVirtsServiceMonitor() {
        DiscoveredTarget pod = PodTargets.of(Pods.virtApi().build(),
                "metrics").get(0);
        ScrapeTarget target = TargetRelabeler.relabel(pod, RelabelConfig.builtIn().targetRules());
        assertEquals("https://10.244.0.12:8443/metrics", target.url());
        assertEquals(Map.of("namespace", "kubevirt", "pod", "virt-api-7f9b8c6d5-x2x8k", "container", "virt-api",
                "endpoint", "metrics", "service", "kubevirt-prometheus-metrics", "job", "kubevirt-prometheus-metrics",
                "instance", "10.244.0.12:8443", "kubevirt_io", "virt-api"), target.labels());
    }

    @Test
    void theBuiltInRulesLeaveFileTargetsTheirOwnLabels() {
        DiscoveredTarget file = new DiscoveredTarget(Map.of("__address__", "127.0.0.1:9100", "__scheme__", "http",
                "namespace", "lab", "job", "node", "__meta_filepath", "/t.json"));
        ScrapeTarget target = TargetRelabeler.relabel(file, RelabelConfig.builtIn().targetRules());
        assertEquals(new ScrapeTarget("http://127.0.0.1:9100/metrics", false, "127.0.0.1", 9100, "/metrics",
                Map.of("namespace", "lab", "job", "node", "instance", "127.0.0.1:9100")), target);
    }

    @Test
    void addsTheSchemesDefaultPortAndQueryParameters() throws IOException {
        DiscoveredTarget discovered = new DiscoveredTarget(Map.of("__address__", "[fd00::1]", "__param_format",
                "text plain", "__metrics_path__", "/federate"));
        ScrapeTarget target = TargetRelabeler.relabel(discovered, RelabelRules.NONE);
        assertEquals("https://[fd00::1]:443/federate?format=text+plain", target.url());
        assertEquals("fd00::1", target.host());
        assertEquals(Map.of("instance", "[fd00::1]:443"), target.labels());
    }

    @Test
    void dropsTargetsTheRulesDropOrThatHaveNoAddress() throws IOException {
        RelabelRules keepHandlers = RelabelRulesTest.rules("""
                  - source_labels: [kubevirt_io]
                    regex: virt-handler
                    action: keep
                """);
        assertNull(TargetRelabeler.relabel(new DiscoveredTarget(Map.of("__address__", "a:1", "kubevirt_io",
                "virt-api")), keepHandlers));
        assertNull(TargetRelabeler.relabel(new DiscoveredTarget(Map.of("kubevirt_io", "virt-handler")), keepHandlers));
        assertNull(TargetRelabeler.relabel(new DiscoveredTarget(Map.of("__address__", "a:1", "__scheme__", "ftp")),
                RelabelRules.NONE));
    }
}
