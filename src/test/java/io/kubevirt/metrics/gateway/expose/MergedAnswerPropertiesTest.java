package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.merge.SampleLimits;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.Promtool;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the targets send (generated and mutated expositions: quotes, backslashes, raw new
 * lines, invalid UTF-8, huge numbers, NaN and infinities, timestamps, duplicate and out-of-order
 * families, conflicting types, comments anywhere), as text or as OpenMetrics, reading never throws
 * out of a target, the merged answer is valid for our check and for promtool, and its OpenMetrics
 * form is valid OpenMetrics with the same series.
 */
class MergedAnswerPropertiesTest {
    private static final List<String> NAMES = List.of("kubevirt_vmi_phase_count", "rest_client_requests_total",
            "rest_client_requests", "latency_seconds", "latency_seconds_bucket", "latency_seconds_count", "up", "a",
            "a_total", "a_created", "b:rate5m");
    private static final List<String> TYPES = List.of("counter", "gauge", "histogram", "summary", "untyped",
            "unknown", "info", "stateset");
    private static final List<String> VALUES = List.of("0", "1", "-1", "3.14", "1e309", "-1e309", "1e-320",
            "NaN", "+Inf", "-Inf", "Inf", "0x1F", "9007199254740993", "1_000", "", "abc");
    private static final List<String> TEXT = List.of("x", "team-a", "say \\\"hi\\\"", "C:\\\\VMs", "a\\nb", "🚀",
            "虚拟机", "\"", "\\", "\\q", "\n", "\u0000", "é");

    private static Arbitrary<String> pick(List<String> options) {
        return Arbitraries.of(options);
    }

    private static Arbitrary<byte[]> line() {
        Arbitrary<String> label = Combinators.combine(pick(List.of("code", "namespace", "le", "quantile", "pod", "x",
                "__name__", "1bad", "ok_2")), pick(TEXT)).as((n, v) -> n + "=\"" + v + "\"");
        Arbitrary<String> labels = label.list().ofMaxSize(4).map(l -> l.isEmpty() ? "" : "{" + String.join(",", l)
                + "}");
        Arbitrary<String> sample = Combinators.combine(pick(NAMES), labels, pick(VALUES),
                pick(List.of("", " 1712345678901", " -5", " 1.5"))).as((n, l, v, t) -> n + l + " " + v + t);
        Arbitrary<String> type = Combinators.combine(pick(NAMES), pick(TYPES)).as((n, t) -> "# TYPE " + n + " " + t);
        Arbitrary<String> help = Combinators.combine(pick(NAMES), pick(TEXT)).as((n, t) -> "# HELP " + n + " " + t);
        Arbitrary<String> other = pick(List.of("", "# a comment", "#", "# EOF", "   ", "\t"));
        Arbitrary<String> text = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, sample), net.jqwik.api.Tuple.of(2, type), net.jqwik.api.Tuple.of(1, help),
                net.jqwik.api.Tuple.of(1, other));
        // Now and then, bytes that are not UTF-8 in the middle of a line.
        return Combinators.combine(text, Arbitraries.integers().between(0, 20)).as((t, k) -> {
            byte[] bytes = t.getBytes(StandardCharsets.UTF_8);
            if (k == 0 && bytes.length > 2) {
                bytes[bytes.length / 2] = (byte) 0xff;
            }
            return bytes;
        });
    }

    @Provide
    Arbitrary<List<byte[]>> bodies() {
        return line().list().ofMinSize(1).ofMaxSize(30).map(lines -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte[] l : lines) {
                out.writeBytes(l);
                out.write('\n');
            }
            byte[] body = out.toByteArray();
            // A well-formed twin keeps the merge busy when the mutated body fails.
            return List.of(body, "# TYPE a counter\na 1\nup 1\n".getBytes(StandardCharsets.UTF_8));
        });
    }

    @Property(tries = 150)
    void theMergedAnswerIsAlwaysValid(@ForAll("bodies") List<byte[]> bodies, @ForAll boolean openMetricsTargets)
            throws Exception {
        String contentType = openMetricsTargets ? ExpositionFormat.OPENMETRICS.contentType() : "text/plain; version=0.0.4";
        if (openMetricsTargets) {
            // An OpenMetrics twin with what only OpenMetrics has; the mutated body mostly fails as OpenMetrics.
            byte[] twin = ("# TYPE a counter\n# HELP a A \\\"counter\\\".\na_total{x=\"1\"} 1 1712653214.771"
                    + " # {trace_id=\"t\"} 1\na_created{x=\"1\"} 1.7e9 1712653214.771\n# TYPE up_seconds gauge\n"
                    + "# UNIT up_seconds seconds\nup_seconds 1\n# TYPE up gauge\nup 1\n# EOF\n")
                    .getBytes(StandardCharsets.UTF_8);
            bodies = List.of(bodies.get(0), twin);
        }
        GatherPipeline pipeline = new GatherPipeline(0, new SampleLimits(0, 0, 0, 4096));
        RelabelConfig config = RelabelConfig.builtIn();
        List<GatherPipeline.Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            ScrapeTarget target = new ScrapeTarget("https://10.0.0." + i + ":8443/metrics", true, "10.0.0." + i, 8443,
                    "/metrics", Map.of("pod", "virt-handler-" + i, "namespace", "kubevirt"));
            outcomes.add(pipeline.read(new ScrapeResult(target, body, body.length, contentType, 0.1,
                    null, null), config)); // Must not throw: a bad body fails its target only.
        }
        MergedExposition merge = pipeline.merge(outcomes, config, new byte[0]);
        String merged = written(merge, ExpositionFormat.TEXT);
        Expositions.checkValid(merged);
        Promtool.checkMetrics(merged);
        assertTrue(merged.contains("up{namespace=\"kubevirt\",pod=\"virt-handler-1\"} 1"), merged);
        // The OpenMetrics answer is valid OpenMetrics and carries exactly the same series.
        String openMetrics = written(merge, ExpositionFormat.OPENMETRICS);
        Expositions.checkValid(openMetrics, ExpositionFormat.OPENMETRICS);
        assertEquals(Expositions.series(merged, ExpositionFormat.TEXT),
                Expositions.series(openMetrics, ExpositionFormat.OPENMETRICS), openMetrics);
    }

    private static String written(MergedExposition merge, ExpositionFormat format) {
        ByteSink out = new ByteSink(1024);
        merge.write(format, out);
        return out.toString();
    }
}
