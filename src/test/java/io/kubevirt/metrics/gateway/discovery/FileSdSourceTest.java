package io.kubevirt.metrics.gateway.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileSdSourceTest {

    private static List<DiscoveredTarget> parse(String content) {
        return FileSdSource.parse(content.getBytes(StandardCharsets.UTF_8), "/etc/targets.json");
    }

    @Test
    void readsJson() throws Exception {
        List<DiscoveredTarget> targets = parse("""
                [{"targets": ["10.0.0.1:8443", "10.0.0.2:8443"], "labels": {"pod": "virt-api-1", "__scheme__": "http"}},
                 {"targets": ["10.0.0.3:8443"]}]
                """);
        assertEquals(List.of(
                new DiscoveredTarget(Map.of("__address__", "10.0.0.1:8443", "pod", "virt-api-1", "__scheme__", "http",
                        "__meta_filepath", "/etc/targets.json")),
                new DiscoveredTarget(Map.of("__address__", "10.0.0.2:8443", "pod", "virt-api-1", "__scheme__", "http",
                        "__meta_filepath", "/etc/targets.json")),
                new DiscoveredTarget(Map.of("__address__", "10.0.0.3:8443", "__meta_filepath", "/etc/targets.json"))),
                targets);
    }

    @Test
    void readsYaml() throws Exception {
        List<DiscoveredTarget> targets = parse("""
                - targets: [localhost:9090]
                  labels:
                    __metrics_path__: /federate
                    job: prometheus
                """);
        assertEquals(List.of(new DiscoveredTarget(Map.of("__address__", "localhost:9090", "__metrics_path__",
                "/federate", "job", "prometheus", "__meta_filepath", "/etc/targets.json"))), targets);
    }

    @Test
    void anEmptyFileHasNoTargets() throws Exception {
        assertEquals(List.of(), parse(""));
        assertEquals(List.of(), parse("[]"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not a list | {targets: [a:1]} | expected a list of target groups",
        "no targets | [{labels: {a: b}}] | group 0: expected a list of targets",
        "bad label name | '[{targets: [a:1], labels: {\"my-label\": x}}]' | group 0: \"my-label\" is not a valid label name",
        "non-string target | [{targets: [{a: 1}]}] | 'group 0: a target must be a host:port string, found {a=1}'",
        "duplicate key | '[{targets: [a:1], targets: [b:2]}]' | line 1: key \"targets\" already set",
        "nested label value | '[{targets: [a:1], labels: {a: [1]}}]' | group 0: label a must have a string value",
    })
    void namesTheGroupAndTheProblem(String name, String content, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(content));
        assertEquals(message, e.getMessage());
    }
}
