package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.Samples;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MergerTest {
    private final List<Merger.Source> sources = new ArrayList<>();
    private MergeReport report;

    private MergerTest add(String body, Map<String, String> targetLabels) throws ParseException {
        return add(body, ExpositionFormat.TEXT, new SeriesLabeling(TargetLabels.of(targetLabels), true,
                RelabelRules.NONE));
    }

    private MergerTest add(String body, ExpositionFormat format, SeriesLabeling labeling) throws ParseException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        sources.add(new Merger.Source("source" + sources.size(), TargetExpositionReader.read(b, b.length, format,
                labeling)));
        return this;
    }

    private String merge() {
        return merge(ExpositionFormat.TEXT);
    }

    private String merge(ExpositionFormat format) {
        ByteSink out = new ByteSink(64);
        MergedExposition merged = Merger.merge(sources);
        report = merged.report();
        merged.write(format, out);
        return out.toString();
    }

    /** The exposition written chunk by chunk, each chunk at least {@code size} bytes but the last. */
    private static String inChunks(MergedExposition merged, ExpositionFormat format, int size) {
        MergedExposition.Writer writer = merged.writer(format);
        StringBuilder all = new StringBuilder();
        boolean more = true;
        while (more) {
            ByteSink chunk = new ByteSink(size);
            more = writer.fill(chunk, size);
            assertTrue(!more || chunk.size() >= size, "a chunk short of its size before the end");
            all.append(chunk);
        }
        return all.toString();
    }

    private static RelabelRules metricRules(String yaml) throws IOException {
        return RelabelConfig.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test")
                .metricRules();
    }

    @Test
    void writesOneHelpAndTypePerFamilyWithTargetLabels() throws ParseException {
        String body = """
                # HELP rest_client_requests_total Number of HTTP requests.
                # TYPE rest_client_requests_total counter
                rest_client_requests_total{code="200"} 5
                rest_client_requests_total{code="404"} 1
                """;
        add(body, Map.of("pod", "virt-api-1", "kubevirt_io", "virt-api"));
        add(body, Map.of("pod", "virt-handler-x", "kubevirt_io", "virt-handler"));
        assertEquals("""
                # HELP rest_client_requests_total Number of HTTP requests.
                # TYPE rest_client_requests_total counter
                rest_client_requests_total{code="200",kubevirt_io="virt-api",pod="virt-api-1"} 5
                rest_client_requests_total{code="404",kubevirt_io="virt-api",pod="virt-api-1"} 1
                rest_client_requests_total{code="200",kubevirt_io="virt-handler",pod="virt-handler-x"} 5
                rest_client_requests_total{code="404",kubevirt_io="virt-handler",pod="virt-handler-x"} 1
                """, merge());
        assertEquals(new MergeReport(0, 0, 4), report);
    }

    @Test
    void keepsFamiliesContiguousAcrossTargetsAndSplitBodies() throws ParseException {
        add("a 1\nb 2\na{x=\"y\"} 3\n", Map.of("t", "1"));
        add("b 4\na 5\n", Map.of("t", "2"));
        assertEquals("""
                # TYPE a untyped
                a{t="1"} 1
                a{x="y",t="1"} 3
                a{t="2"} 5
                # TYPE b untyped
                b{t="1"} 2
                b{t="2"} 4
                """, merge());
    }

    @Test
    void honorLabelsKeepsTheScrapedValue() throws ParseException {
        add("kubevirt_vmi_memory_resident_bytes{name=\"vm\",namespace=\"team-a\"} 1\n",
                Map.of("namespace", "kubevirt", "pod", "virt-handler-1"));
        assertEquals("""
                # TYPE kubevirt_vmi_memory_resident_bytes untyped
                kubevirt_vmi_memory_resident_bytes{name="vm",namespace="team-a",pod="virt-handler-1"} 1
                """, merge());
    }

    @Test
    void withoutHonorLabelsTheScrapedValueBecomesExported() throws ParseException {
        SeriesLabeling labeling = new SeriesLabeling(TargetLabels.of(Map.of("namespace", "kubevirt",
                "exported_namespace", "taken")), false, RelabelRules.NONE);
        add("m{namespace=\"team-a\",exported_exported_namespace=\"x\"} 1\nm{namespace=\"\"} 2\nother 3\n",
                ExpositionFormat.TEXT, labeling);
        assertEquals("""
                # TYPE m untyped
                m{exported_exported_exported_namespace="team-a",exported_exported_namespace="x",exported_namespace="taken",namespace="kubevirt"} 1
                m{exported_namespace="taken",namespace="kubevirt"} 2
                # TYPE other untyped
                other{exported_namespace="taken",namespace="kubevirt"} 3
                """, merge());
    }

    @Test
    void dropsAndCountsFamiliesOfAnotherType() throws ParseException {
        add("# TYPE foo gauge\nfoo 1\n", Map.of("t", "1"));
        add("# TYPE foo counter\nfoo 2\nfoo{a=\"b\"} 3\n# TYPE bar gauge\nbar 4\n", Map.of("t", "2"));
        assertEquals("""
                # TYPE foo gauge
                foo{t="1"} 1
                # TYPE bar gauge
                bar{t="2"} 4
                """, merge());
        assertEquals(new MergeReport(2, 0, 2), report);
    }

    @Test
    void dropsAGaugeWhoseNameAHistogramWrites() throws ParseException {
        add("# TYPE lat histogram\nlat_bucket{le=\"+Inf\"} 1\nlat_sum 2\nlat_count 1\n", Map.of());
        add("# TYPE lat_bucket gauge\nlat_bucket{le=\"1\"} 5\n# TYPE lat_sum_total counter\nlat_sum_total 1\n",
                Map.of());
        assertEquals("""
                # TYPE lat histogram
                lat_bucket{le="+Inf"} 1
                lat_sum 2
                lat_count 1
                # TYPE lat_sum_total counter
                lat_sum_total 1
                """, merge());
        assertEquals(1, report.typeConflictSamples());
    }

    @Test
    void dropsAndCountsDuplicateSeriesWhateverTheLabelOrder() throws ParseException {
        add("a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 2\na{x=\"1\",y=\"3\"} 3\n", Map.of());
        add("a{y=\"2\",x=\"1\"} 4\n", Map.of());
        assertEquals("""
                # TYPE a untyped
                a{x="1",y="2"} 1
                a{x="1",y="3"} 3
                """, merge());
        assertEquals(new MergeReport(0, 2, 2), report);
    }

    @Test
    void findsDuplicatesOfManyLabelsWhateverTheOrder() throws ParseException {
        // More labels than the parser first makes room for, each name at another place each time.
        List<String> pairs = IntStream.range(0, 40).mapToObj(i -> "l" + i + "=\"" + i + "\"").toList();
        List<String> reversed = new ArrayList<>(pairs);
        Collections.reverse(reversed);
        String all = "a{" + String.join(",", pairs) + "}";
        String allButFirst = "a{" + String.join(",", pairs.subList(1, 40)) + "}";
        String allReversed = "a{" + String.join(",", reversed) + "}";
        add(all + " 1\n" + allReversed + " 2\n" + allButFirst + " 3\n", Map.of());
        add(allReversed + " 4\n", Map.of());
        assertEquals("# TYPE a untyped\n" + all + " 1\n" + allButFirst + " 3\n", merge());
        assertEquals(new MergeReport(0, 2, 2), report);
    }

    @Test
    void targetLabelsMakeEqualSeriesOfTwoTargetsDistinct() throws ParseException {
        add("a 1\n", Map.of("pod", "p1"));
        add("a 1\n", Map.of("pod", "p2"));
        add("a{pod=\"p1\"} 9\n", Map.of("pod", "p3")); // honor_labels: the same series as p1's.
        assertEquals("""
                # TYPE a untyped
                a{pod="p1"} 1
                a{pod="p2"} 1
                """, merge());
        assertEquals(1, report.duplicateSamples());
    }

    /** Found by ParseDifferentialIT: a head with a blank for a comma is not written as it came. */
    @Test
    void writesCommasBetweenLabelsThatCameWithout() throws ParseException {
        add("a{x=\"1\" y=\"2\"} 1\na{x=\"2\"\ty=\"3\"} 2\n", Map.of("pod", "p"));
        assertEquals("""
                # TYPE a untyped
                a{x="1",y="2",pod="p"} 1
                a{x="2",y="3",pod="p"} 2
                """, merge());
    }

    @Test
    void rewritesEscapesTheTextFormatDoesNotKnow() throws ParseException {
        add("# HELP a Tab \\t and \\\\.\na{p=\"C:\\\\dir\\tx\"} 1\n", Map.of("q", "quote \" back \\ nl \n"));
        assertEquals("""
                # HELP a Tab \\\\t and \\\\.
                # TYPE a untyped
                a{p="C:\\\\dir\\\\tx",q="quote \\" back \\\\ nl \\n"} 1
                """, merge());
    }

    @Test
    void convertsOpenMetricsToTheTextFormat() throws ParseException {
        String body = """
                # TYPE requests counter
                # HELP requests Requests, "quoted" \\"here\\".
                requests_total{code="200"} 5 1712653214.771
                requests_created{code="200"} 1.7e9 1712653214.771
                # TYPE build info
                build_info{version="1"} 1
                # TYPE lat histogram
                lat_bucket{le="+Inf"} 2 # {trace_id="a"} 0.5
                lat_sum 1
                lat_count 2
                lat_created 1.7e9
                # TYPE st stateset
                st{st="a"} 1
                # EOF
                """;
        add(body, ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE);
        assertEquals("""
                # HELP requests_total Requests, "quoted" "here".
                # TYPE requests_total counter
                requests_total{code="200"} 5 1712653214771
                # HELP requests_created Requests, "quoted" "here".
                # TYPE requests_created gauge
                requests_created{code="200"} 1.7e9 1712653214771
                # TYPE build_info gauge
                build_info{version="1"} 1
                # TYPE lat histogram
                lat_bucket{le="+Inf"} 2
                lat_sum 1
                lat_count 2
                # TYPE lat_created gauge
                lat_created 1.7e9
                # TYPE st gauge
                st{st="a"} 1
                """, merge());
    }

    /** OpenMetrics families keep their types, units and exemplars in an OpenMetrics answer. */
    @Test
    void writesOpenMetricsFamiliesAsTheTargetDeclaredThem() throws ParseException {
        add("""
                # TYPE requests counter
                # HELP requests Requests, "quoted" \\"here\\".
                requests_total{code="200"} 5 1712653214.771 # {trace_id="a1"} 1 1712653214.5
                requests_created{code="200"} 1.7e9 1712653214.771
                requests_total{code="500"} 1
                requests_created{code="500"} 1.8e9
                # TYPE build info
                build_info{version="1"} 1
                # TYPE lat_seconds histogram
                # UNIT lat_seconds seconds
                lat_seconds_bucket{le="+Inf"} 2 # {trace_id="b"} 0.5
                lat_seconds_sum 1
                lat_seconds_count 2
                lat_seconds_created 1.7e9
                # TYPE st stateset
                st{st="a"} 1
                # TYPE up_ratio gauge
                # UNIT up_ratio ratio
                up_ratio 1
                # EOF
                """, ExpositionFormat.OPENMETRICS, new SeriesLabeling(TargetLabels.of(Map.of("pod", "p")), true,
                RelabelRules.NONE));
        add("""
                # HELP go_gc_total Text counter, "quoted".
                # TYPE go_gc_total counter
                go_gc_total 3
                # TYPE legacy_requests counter
                legacy_requests 4
                """, Map.of("pod", "q"));
        assertEquals("""
                # HELP requests Requests, \\"quoted\\" \\"here\\".
                # TYPE requests counter
                requests_total{code="200",pod="p"} 5 1712653214.771 # {trace_id="a1"} 1 1712653214.5
                requests_created{code="200",pod="p"} 1.7e9 1712653214.771
                requests_total{code="500",pod="p"} 1
                requests_created{code="500",pod="p"} 1.8e9
                # TYPE build info
                build_info{version="1",pod="p"} 1
                # TYPE lat_seconds histogram
                # UNIT lat_seconds seconds
                lat_seconds_bucket{le="+Inf",pod="p"} 2 # {trace_id="b"} 0.5
                lat_seconds_sum{pod="p"} 1
                lat_seconds_count{pod="p"} 2
                lat_seconds_created{pod="p"} 1.7e9
                # TYPE st stateset
                st{st="a",pod="p"} 1
                # TYPE up_ratio gauge
                # UNIT up_ratio ratio
                up_ratio{pod="p"} 1
                # HELP go_gc Text counter, \\"quoted\\".
                # TYPE go_gc counter
                go_gc_total{pod="q"} 3
                # TYPE legacy_requests unknown
                legacy_requests{pod="q"} 4
                # EOF
                """, merge(ExpositionFormat.OPENMETRICS));
        assertEquals(Expositions.series(merge(ExpositionFormat.TEXT), ExpositionFormat.TEXT),
                Expositions.series(merge(ExpositionFormat.OPENMETRICS), ExpositionFormat.OPENMETRICS));
    }

    @Test
    void givesAnOpenMetricsFamilyItsOwnNameWhenAnotherTypeHoldsTheName() throws ParseException {
        add("# TYPE jobs gauge\njobs 2\n", Map.of("pod", "a"));
        add("""
                # TYPE jobs counter
                jobs_total 7
                jobs_created 1.7e9
                # EOF
                """, ExpositionFormat.OPENMETRICS, new SeriesLabeling(TargetLabels.of(Map.of("pod", "b")), true,
                RelabelRules.NONE));
        assertEquals("""
                # TYPE jobs gauge
                jobs{pod="a"} 2
                # TYPE jobs_total unknown
                jobs_total{pod="b"} 7
                # TYPE jobs_created gauge
                jobs_created{pod="b"} 1.7e9
                # EOF
                """, merge(ExpositionFormat.OPENMETRICS));
        assertEquals(new MergeReport(0, 0, 3), report);
    }

    @Test
    void dropsTheSameDuplicatesInBothFormats() throws ParseException {
        String body = """
                # TYPE jobs counter
                jobs_total{a="1"} 7
                jobs_created{a="1"} 1.7e9
                jobs_total{a="2"} 8
                # EOF
                """;
        add(body, ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE);
        add(body, ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE);
        assertEquals("""
                # TYPE jobs counter
                jobs_total{a="1"} 7
                jobs_created{a="1"} 1.7e9
                jobs_total{a="2"} 8
                # EOF
                """, merge(ExpositionFormat.OPENMETRICS));
        assertEquals(new MergeReport(0, 3, 3), report);
        assertEquals(Expositions.series(merge(ExpositionFormat.TEXT), ExpositionFormat.TEXT),
                Expositions.series(merge(ExpositionFormat.OPENMETRICS), ExpositionFormat.OPENMETRICS));
    }

    /**
     * A body's buffer is reused for the target's next body (see scrape's MemoryBudget): what
     * follows the body in it is the last body's rest, and must not be read.
     */
    @Test
    void readsNothingOfTheBufferPastTheBody() throws ParseException {
        String stale = "5e3\n# TYPE c counter\nc_total{d=\"e\"} 1\n# HELP a stale\n\"\\";
        for (String body : List.of("# TYPE a gauge\na{b=\"1\"} 1\na{b=\"2\"} 2\n", "a 1\nb{c=\"d\"} 2")) {
            add(body, Map.of("pod", "p"));
            String exact = merge();
            sources.clear();
            byte[] reused = (body + stale).getBytes(StandardCharsets.UTF_8);
            sources.add(new Merger.Source("source", TargetExpositionReader.read(reused, body.length(),
                    ExpositionFormat.TEXT, new SeriesLabeling(TargetLabels.of(Map.of("pod", "p")), true,
                            RelabelRules.NONE))));
            assertEquals(exact, merge());
            sources.clear();
        }
    }

    @Test
    void writesSpecialValuesCanonically() throws ParseException {
        add("a{c=\"1\"} nan\na{c=\"2\"} inf\na{c=\"3\"} -Infinity\n", Map.of());
        assertEquals("# TYPE a untyped\na{c=\"1\"} NaN\na{c=\"2\"} +Inf\na{c=\"3\"} -Inf\n", merge());
    }

    @Test
    void metricRelabelingSeesTargetLabelsAndCanDropOrRename() throws ParseException, IOException {
        RelabelRules rules = metricRules("""
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: go_.*
                    action: drop
                  - source_labels: [pod]
                    regex: virt-(.*)-[0-9]+
                    target_label: component
                  - source_labels: [__name__]
                    regex: rest_client_(.*)
                    replacement: kubevirt_rest_client_$1
                    target_label: __name__
                """);
        add("""
                # TYPE go_goroutines gauge
                go_goroutines 4
                # TYPE rest_client_requests_total counter
                rest_client_requests_total{code="404"} 1
                """, ExpositionFormat.TEXT, new SeriesLabeling(TargetLabels.of(Map.of("pod", "virt-api-1")), true,
                rules));
        assertEquals("""
                # TYPE kubevirt_rest_client_requests_total untyped
                kubevirt_rest_client_requests_total{code="404",component="api",pod="virt-api-1"} 1
                """, merge());
        assertEquals(2, sources.get(0).exposition().scrapedCount());
        assertEquals(1, sources.get(0).exposition().sampleCount());
    }

    /**
     * Labels rules add, or target labels they change, follow a sample's labels as the body wrote
     * them, whether the body's are copied in one piece or label by label (a blank, a label a rule
     * changed), and duplicates are found across both.
     */
    @Test
    void metricRelabelingWritesWhatItSetsAfterTheBodyLabels() throws ParseException, IOException {
        RelabelRules rules = metricRules("""
                metric_relabel_configs:
                  - target_label: cluster
                    replacement: east
                  - source_labels: [pod]
                    regex: virt-handler-(.*)
                    target_label: pod
                  - source_labels: [y]
                    regex: "3"
                    target_label: y
                    replacement: three
                """);
        add("""
                # TYPE a gauge
                a{x="1",y="2"} 1
                a{y="2", x="1"} 2
                a{x="1",y="3"} 3
                a 4
                """, ExpositionFormat.TEXT, new SeriesLabeling(TargetLabels.of(Map.of("pod", "virt-handler-x1")), true,
                rules));
        assertEquals("""
                # TYPE a gauge
                a{x="1",y="2",cluster="east",pod="x1"} 1
                a{x="1",cluster="east",pod="x1",y="three"} 3
                a{cluster="east",pod="x1"} 4
                """, merge());
        assertEquals(1, report.duplicateSamples());
    }

    /**
     * A rule remembers its decision by its input, across samples read on a view of the body and
     * samples decoded into a map (here: a label conflict without honor_labels): both must give
     * the same input the same key, and different inputs different keys.
     */
    @Test
    void metricRelabelingRemembersDecisionsByValueOnBothPaths() throws ParseException, IOException {
        RelabelRules rules = metricRules("""
                metric_relabel_configs:
                  - source_labels: [x]
                    regex: 'a\\\\b'
                    action: drop
                """);
        add("""
                m{x="a\\\\b",y="1"} 1
                m{job="j",x="a\\\\\\\\b",y="2"} 2
                m{job="j",x="a\\\\b",y="3"} 3
                m{x="a\\\\\\\\b",y="4"} 4
                """, ExpositionFormat.TEXT, new SeriesLabeling(TargetLabels.of(Map.of("job", "kubevirt")), false,
                rules));
        assertEquals("""
                # TYPE m untyped
                m{exported_job="j",job="kubevirt",x="a\\\\\\\\b",y="2"} 2
                m{x="a\\\\\\\\b",y="4",job="kubevirt"} 4
                """, merge());
    }

    @Test
    void metricRelabelingThatRemovesTheNameFailsTheTarget() throws IOException {
        RelabelRules rules = metricRules("""
                metric_relabel_configs:
                  - regex: __name__
                    action: labeldrop
                """);
        ParseException e = assertThrows(ParseException.class, () -> add("a 1\n", ExpositionFormat.TEXT,
                new SeriesLabeling(TargetLabels.EMPTY, true, rules)));
        assertEquals("line 1: metric_relabel_configs left the series without a __name__", e.getMessage());
    }

    @Test
    void mergedKubeVirtSamplesParseBackWithOneTypePerFamily() throws ParseException {
        for (String sample : List.of("legacy-names/virt-api.prom", "legacy-names/virt-controller.prom",
                "legacy-names/virt-handler.prom", "current-names/virt-handler.prom", "edge-cases.prom")) {
            add(Samples.text(sample), Map.of("pod", sample));
        }
        add(Samples.text("openmetrics.txt"), ExpositionFormat.OPENMETRICS,
                new SeriesLabeling(TargetLabels.of(Map.of("pod", "om")), true, RelabelRules.NONE));
        String merged = merge();
        int samples = Expositions.checkValid(merged).size();
        int expected = sources.stream().mapToInt(s -> s.exposition().sampleCount()).sum();
        assertEquals(expected - report.typeConflictSamples() - report.duplicateSamples(), samples);
        assertEquals(report.samplesWritten(), samples);
        // The current virt-handler sample has its storage latency buckets as a gauge, the legacy one not.
        assertTrue(merged.contains("# TYPE kubevirt_vmi_storage_read_latency_seconds_bucket gauge\n"));
        String openMetrics = merge(ExpositionFormat.OPENMETRICS);
        assertEquals(samples, Expositions.checkValid(openMetrics, ExpositionFormat.OPENMETRICS).size());
        assertEquals(Expositions.series(merged, ExpositionFormat.TEXT),
                Expositions.series(openMetrics, ExpositionFormat.OPENMETRICS));
        for (ExpositionFormat format : ExpositionFormat.values()) {
            assertEquals(merge(format), inChunks(Merger.merge(sources), format, 1000), "written in chunks");
        }
        assertTrue(openMetrics.contains("le=\"0.005\",pod=\"om\"} 4992 # {trace_id=\"4bf92f3577b34da6a3ce929d0e0e4736\"}"
                + " 0.0041 1712653214.771\n"), "the exemplar is kept");
    }
}
