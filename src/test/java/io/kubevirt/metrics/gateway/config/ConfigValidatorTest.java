package io.kubevirt.metrics.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubevirt.metrics.gateway.testing.TestConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValidatorTest {

    @Test
    void theDefaultsAreValid() {
        assertEquals(List.of(), ConfigValidator.problems(TestConfig.of(Map.of())));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"prometheus.kubevirt.io", "!legacy", "kubevirt.io=virt-handler",
        "kubevirt.io==virt-api", "kubevirt.io != virt-operator", "kubevirt.io in (virt-api, virt-handler)",
        "prometheus.kubevirt.io,kubevirt.io notin (virt-operator)", "app.kubernetes.io/name=kubevirt", "a="})
    void acceptsKubernetesLabelSelectors(String selector) {
        assertEquals(List.of(), ConfigValidator.problems(TestConfig.of(Map.of(
                "gateway.discovery.kubernetes.label-selector", selector))));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "gateway.discovery.kubernetes.enabled | false | gateway.discovery: no source of targets; set gateway.discovery.file or gateway.discovery.kubernetes.enabled=true",
        "gateway.discovery.kubernetes.port-name | ' ' | gateway.discovery.kubernetes.port-name: must not be empty",
        "gateway.discovery.kubernetes.label-selector | 'kubevirt.io in virt-api' | 'gateway.discovery.kubernetes.label-selector: \"kubevirt.io in virt-api\" is not a Kubernetes label selector (key, !key, key=value, key!=value, key in (a,b), key notin (a,b), comma-separated)'",
        "gateway.discovery.kubernetes.namespaces | 'kubevirt,Team_A' | 'gateway.discovery.kubernetes.namespaces: \"Team_A\" is not a namespace name (or * for all)'",
        "gateway.scrape.timeout | 0s | gateway.scrape.timeout: must be positive",
        "gateway.scrape.timeout-margin | -1s | gateway.scrape.timeout-margin: must not be negative, is PT-1S",
        "gateway.scrape.min-interval | -5s | gateway.scrape.min-interval: must not be negative, is PT-5S",
        "gateway.scrape.body-size-limit | 2G | gateway.scrape.body-size-limit: must be between 1 byte and 1G, is 2147483648 bytes",
        "gateway.scrape.sample-limit | -1 | gateway.scrape.sample-limit: must be 0 (no limit) or more, is -1",
        "gateway.scrape.tls.ca-file | /nonexistent/ca.crt | gateway.scrape.tls.ca-file: /nonexistent/ca.crt does not exist",
        "gateway.scrape.tls.cert-file | /etc/hostname | gateway.scrape.tls.cert-file and gateway.scrape.tls.key-file: set both or neither",
        "gateway.relabel.file | /nonexistent/relabel.yaml | gateway.relabel.file: /nonexistent/relabel.yaml does not exist",
        "gateway.scrape.tls.refresh-interval | 0s | gateway.scrape.tls.refresh-interval: must be positive",
        "gateway.scrape.memory-budget | 0 | 'gateway.scrape.memory-budget: must be positive (or unset for half the heap), is 0 bytes'",
        "gateway.compression.level | 0 | 'gateway.compression.level: must be off or a gzip level from 1 (fastest) to 9 (smallest), is \"0\"'",
        "gateway.compression.level | fast | 'gateway.compression.level: must be off or a gzip level from 1 (fastest) to 9 (smallest), is \"fast\"'",
        "gateway.tls.min-version | VersionTLS11 | 'gateway.tls.min-version: \"VersionTLS11\" is not one of [VersionTLS12, VersionTLS13]'",
        "gateway.tls.ciphers | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,ECDHE-RSA-AES128-GCM-SHA256' | 'gateway.tls.ciphers: \"ECDHE-RSA-AES128-GCM-SHA256\" is not a TLS 1.2 cipher suite this runtime supports (IANA names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)'",
    })
    void namesTheKeyAndTheProblem(String key, String value, String problem) {
        assertEquals(List.of(problem), ConfigValidator.problems(TestConfig.of(Map.of(key, value))));
    }
}
