package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged gateway refuses to start on a bad configuration, and says which key is wrong and why. */
class BadConfigurationIT {

    private static String startAndFail(Map<String, String> bad) throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        Path targets = Files.createTempFile("targets", ".yaml");
        Map<String, String> config = new HashMap<>(Map.of(
                "gateway.discovery.kubernetes.enabled", "false",
                "gateway.discovery.file", targets.toString(),
                "gateway.tls.cert-file", tls.certFile().toString(),
                "gateway.tls.key-file", tls.keyFile().toString()));
        config.putAll(bad);
        try (PackagedGateway gateway = PackagedGateway.start(config, List.of())) {
            assertNotEquals(0, gateway.awaitExit(Duration.ofSeconds(60)));
            return gateway.log();
        }
    }

    @Test
    void reportsEveryProblemOfTheGatewaysKeys() throws Exception {
        String log = startAndFail(Map.of("gateway.scrape.timeout", "0s",
                "gateway.scrape.tls.ca-file", "/nonexistent/kubevirt-ca.crt"));
        assertTrue(log.contains("gateway.scrape.timeout: must be positive"), log);
        assertTrue(log.contains("gateway.scrape.tls.ca-file: /nonexistent/kubevirt-ca.crt does not exist"), log);
    }

    @Test
    void namesTheRuleOfABadRelabelFile() throws Exception {
        Path rules = Files.createTempFile("relabel", ".yaml");
        Files.writeString(rules, "metric_relabel_configs:\n  - {source_labels: [a], action: replace}\n");
        String log = startAndFail(Map.of("gateway.relabel.file", rules.toString()));
        assertTrue(log.contains("metric_relabel_configs[0].target_label: relabel configuration for replace action "
                + "requires 'target_label' value"), log);
    }
}
