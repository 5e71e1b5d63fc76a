package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.CasePods;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.OddBodies;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.kubevirt.metrics.gateway.testing.Promtool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Differential test of how target bodies are read: odd text-format bodies (the cases and
 * generated, mutated ones, see {@link OddBodies}), each served by a pod of its own, scraped by
 * Prometheus 3.5 both directly and through the gateway. Each target's verdict must be Prometheus
 * 3.5's (up, with as many samples, or down), and Prometheus 3.5 and 2.42 must accept every whole
 * answer of the gateway. The bodies come from a fixed seed, so that every run judges the same ones;
 * {@code -Ddifferential.seed=random} (or a number) explores others, and a body found to differ
 * becomes a case of {@link #KNOWN} once the difference is mended or listed in the README.
 */
class ParseDifferentialIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GENERATED = 300;
    private static final long SEED = 20261206;
    /** Bodies that found differences before: each a case of its own, on every run. */
    private static final List<String> KNOWN = List.of(
            "kubevirt_x 0x1p-3\n", "a 1 -5\n", "metric {label=\"x\"} 1\n", "metric { a = \"1\" } 1\n",
            "a{x=\"1\" y=\"2\"} 1\n", "a{x=\"1\"}1\n", "a+1\n", "a 1\n\u0000rest\n", "a{x=\"1\n2\"} 1\n",
            "# TYPE a  counter\na 1\n", "# TYPE a counter \na 1\n", "# TYPE a{counter\na 1\n", "a 1_000\n",
            "a 1\r\n", "a 1 +5\n", "a{x=\"\\t\"} 1\n", "a 1e309\n", "a 1e-400\n", "_x{x=\"1\" y=\"2\"} 1.5e3\n",
            "a 1\n# HELP \"\n# TYPE a untyped\na{x=\"a\\\"b\"} 1e1e3\n", "a{x=\"1\",x=\"2\"} 1 123\n");

    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();

    @Test
    void everyTargetGetsPrometheusVerdictAndEveryAnswerIsAccepted() throws Exception {
        String asked = System.getProperty("differential.seed", String.valueOf(SEED));
        long seed = asked.equals("random") ? System.nanoTime() : Long.parseLong(asked);
        System.out.println("ParseDifferentialIT: -Ddifferential.seed=" + seed);
        List<byte[]> bodies = new ArrayList<>();
        KNOWN.forEach(b -> bodies.add(b.getBytes(StandardCharsets.UTF_8)));
        bodies.addAll(OddBodies.generate(seed, GENERATED));
        try (CasePods pods = new CasePods(bodies, "text/plain; version=0.0.4; charset=utf-8", tls);
                PackagedGateway gateway = PackagedGateway.startWithFileTargets(pods.fileTargets(), tls, Map.of(),
                        List.of());
                PrometheusServer prometheus3 = PrometheusServer.start3(config(pods.staticConfigs(), gateway.address()));
                PrometheusServer prometheus2 = PrometheusServer.start(config("", gateway.address()))) {
            prometheus3.awaitFirstScrapes(bodies.size() + 1, Duration.ofSeconds(90));
            prometheus2.awaitFirstScrapes(1, Duration.ofSeconds(90));
            for (PrometheusServer prometheus : List.of(prometheus3, prometheus2)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> scrapes(prometheus) >= 3);
            }
            String answer = gateway.get("/metrics").body();
            try {
                Promtool.checkMetrics(answer);
            } catch (AssertionError e) { // Shows the line promtool names.
                Matcher line = Pattern.compile("line (\\d+)").matcher(e.getMessage());
                List<String> lines = answer.lines().toList();
                throw line.find() ? new AssertionError(e.getMessage() + "\n"
                        + lines.get(Math.min(lines.size(), Integer.parseInt(line.group(1))) - 1), e) : e;
            }
            Map<String, Double> up = perPod(answer, "up");
            Map<String, Double> samples = perPod(answer, "scrape_samples_scraped");
            List<String> differences = new ArrayList<>();
            int known = 0;
            for (JsonNode target : JSON.readTree(prometheus3.get("/api/v1/targets?scrapePool=direct"))
                    .path("data").path("activeTargets")) {
                String pod = target.path("labels").path("pod").asText();
                byte[] body = bodies.get(CasePods.number(pod));
                boolean directUp = target.path("health").asText().equals("up");
                Double gatewayUp = up.get(pod);
                String why = "direct " + target.path("health").asText() + " " + target.path("lastError").asText()
                        + "; gateway up=" + gatewayUp + " " + lastError(gateway, pod);
                if (gatewayUp == null || (gatewayUp == 1) != directUp) {
                    if (knownDifference(body, directUp, lastError(gateway, pod))) {
                        known++;
                    } else {
                        differences.add(pod + " " + shown(body) + ": " + why);
                    }
                } else if (directUp) {
                    double stored = prometheus3.query("scrape_samples_scraped{job=\"direct\",pod=\"" + pod + "\"}")
                            .path(0).path("value").path(1).asDouble();
                    if (stored != samples.get(pod)) {
                        differences.add(pod + " " + shown(body) + ": direct has " + stored + " samples, the gateway "
                                + samples.get(pod));
                    }
                }
            }
            System.out.println("ParseDifferentialIT: " + known + " of " + bodies.size() + " targets judged otherwise"
                    + " for a reason the README lists");
            assertTrue(differences.isEmpty(), "seed " + seed + ", " + differences.size() + " of " + bodies.size()
                    + " targets judged otherwise:\n" + String.join("\n", differences));
            for (PrometheusServer prometheus : List.of(prometheus3, prometheus2)) {
                JsonNode lowest = prometheus.query("min_over_time(up{job=\"gateway\",pod=\"\"}[10m])");
                String target = prometheus.get("/api/v1/targets?scrapePool=gateway");
                assertEquals(1.0, lowest.path(0).path("value").path(1).asDouble(), () -> "a Prometheus refused an answer"
                        + " of the gateway (" + lowest + "): " + target);
            }
        }
    }

    private String config(String directTargets, String gateway) {
        String tlsConfig = "    scheme: https\n    tls_config: {ca_file: '" + tls.certFile() + "', server_name: localhost}\n";
        return "global: {scrape_interval: 2s, scrape_timeout: 1s}\nscrape_configs:\n"
                + "  - job_name: gateway\n    honor_labels: true\n    scrape_interval: 5s\n    scrape_timeout: 5s\n"
                + tlsConfig
                + "    static_configs: [{targets: ['" + gateway + "']}]\n"
                + (directTargets.isEmpty() ? "" : "  - job_name: direct\n" + tlsConfig + "    static_configs:\n"
                        + directTargets);
    }

    /**
     * The two differences the README lists. A quoted (UTF-8) metric or label name fails its target
     * in the gateway (in HELP and TYPE lines too, where Prometheus' quoted name may even run on
     * over the lines after it). And a series with a label name twice (or {@code __name__} inside the braces)
     * fails its target in the gateway, where Prometheus checks that only when it stores the
     * sample: it keeps the target up when the sample's timestamp is outside what its TSDB takes
     * (as every timestamp {@link OddBodies} writes is) and drops that sample alone.
     */
    private static boolean knownDifference(byte[] body, boolean directUp, String gatewayError) {
        Matcher error = Pattern.compile("^parse: line (\\d+): (.*)").matcher(gatewayError);
        if (!directUp || !error.find()) {
            return false;
        }
        List<String> lines = new String(body, StandardCharsets.UTF_8).lines().toList();
        int line = Integer.parseInt(error.group(1));
        String text = line <= lines.size() ? lines.get(line - 1) : "";
        boolean quotedName = text.matches(".*[{,]\\s*\"(\\\\.|[^\"\\\\])*\"\\s*[=,}].*")
                || text.matches("\\s*#[ \t]+(HELP|TYPE)[ \t]+\".*");
        boolean twice = error.group(2).matches("duplicate label name.*|label name \"__name__\" is reserved")
                && text.matches(".*}\\s*\\S+\\s+\\d+\\s*");
        return quotedName || twice;
    }

    private static double scrapes(PrometheusServer prometheus) throws Exception {
        JsonNode result = prometheus.query("count_over_time(up{job=\"gateway\",pod=\"\"}[10m])");
        return result.size() == 0 ? 0 : result.path(0).path("value").path(1).asDouble();
    }

    /** The value of the gateway's report series {@code name} for each target, by pod. */
    private static Map<String, Double> perPod(String answer, String name) {
        Map<String, Double> values = new HashMap<>();
        Pattern pod = Pattern.compile("pod=\"(case-\\d+)\"");
        for (String line : Expositions.lines(answer, name + "{")) {
            Matcher m = pod.matcher(line);
            if (m.find()) {
                values.put(m.group(1), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return values;
    }

    private static String lastError(PackagedGateway gateway, String pod) throws Exception {
        for (JsonNode target : JSON.readTree(gateway.get("/api/v1/targets").body()).path("data")
                .path("activeTargets")) {
            if (target.path("labels").path("pod").asText().equals(pod)) {
                return target.path("lastError").asText();
            }
        }
        return "(no such target)";
    }

    /** The body as a Java string literal would show it. */
    private static String shown(byte[] body) {
        StringBuilder out = new StringBuilder("\"");
        for (byte b : body) {
            int c = b & 0xff;
            out.append(c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '"' ? "\\\""
                    : c == '\\' ? "\\\\" : c < 0x20 || c >= 0x7f ? String.format("\\x%02x", c) : String.valueOf((char) c));
        }
        return out.append('"').toString();
    }
}
