package io.kubevirt.metrics.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.kubevirt.metrics.gateway.testing.Promtool;
import io.kubevirt.metrics.gateway.testing.Samples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PrometheusRule's groups, checked and unit-tested with the real promtool. */
public class PrometheusRuleTest {
    static final Path RULE = Kustomize.KUBERNETES.resolve("base/prometheusrule.yaml");

    @TempDir
    Path dir;

    /** The rule groups as a Prometheus rule file. */
    public static String ruleFile() throws IOException {
        PrometheusRule rule = new KubernetesSerialization().unmarshal(Files.readString(RULE), PrometheusRule.class);
        return new KubernetesSerialization().asYaml(Map.of("groups", rule.getSpec().getGroups()));
    }

    /** Every PromQL expression of the rules. */
    public static List<String> expressions() throws IOException {
        PrometheusRule rule = new KubernetesSerialization().unmarshal(Files.readString(RULE), PrometheusRule.class);
        return rule.getSpec().getGroups().stream().flatMap(g -> g.getRules().stream()).map(Rule::getExpr)
                .map(e -> e.getStrVal()).toList();
    }

    private String promtool(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = Promtool.binary("promtool");
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), String.join(" ", args) + ":\n" + output);
        return output;
    }

    @Test
    void theRulesPassPromtoolCheckAndTheirUnitTests() throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), ruleFile());
        Files.writeString(dir.resolve("test.yaml"), Samples.text("../alerts/kubevirt-metrics-gateway-test.yaml"));
        assertTrue(promtool("check", "rules", "rules.yaml").contains("SUCCESS: 6 rules found"));
        assertTrue(promtool("test", "rules", "test.yaml").contains("SUCCESS"));
    }

    @Test
    void everyAlertHasATest() throws Exception {
        String tests = Samples.text("../alerts/kubevirt-metrics-gateway-test.yaml");
        PrometheusRule rule = new KubernetesSerialization().unmarshal(Files.readString(RULE), PrometheusRule.class);
        rule.getSpec().getGroups().stream().flatMap(g -> g.getRules().stream()).filter(r -> r.getAlert() != null)
                .forEach(r -> assertTrue(tests.contains("alertname: " + r.getAlert()), r.getAlert()));
    }
}
