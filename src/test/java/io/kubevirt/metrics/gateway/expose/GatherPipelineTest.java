package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.IndexSpares;
import io.kubevirt.metrics.gateway.merge.SampleLimits;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.scrape.Leases;
import io.kubevirt.metrics.gateway.scrape.MemoryBudget;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.testing.TestConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatherPipelineTest {
    private static final ScrapeTarget TARGET = new ScrapeTarget("https://10.0.0.1:8443/metrics", true, "10.0.0.1", 8443,
            "/metrics", Map.of("pod", "virt-handler-1", "instance", "10.0.0.1:8443"));
    private static final ScrapeTarget OTHER = new ScrapeTarget("https://10.0.0.2:8443/metrics", true, "10.0.0.2", 8443,
            "/metrics", Map.of("pod", "virt-handler-2", "instance", "10.0.0.2:8443"));
    private static final RelabelConfig NO_RULES = RelabelConfig.builtIn();

    private static ScrapeResult body(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new ScrapeResult(TARGET, bytes, bytes.length, "text/plain; version=0.0.4", 0.25, null, null);
    }

    private static RelabelConfig metricRules(String rule) throws Exception {
        return RelabelConfig.parse(new ByteArrayInputStream(("metric_relabel_configs: [" + rule + "]\n")
                .getBytes(StandardCharsets.UTF_8)), "test");
    }

    private static String merged(GatherPipeline pipeline, GatherPipeline.Outcome outcome) throws Exception {
        return merged(pipeline, List.of(outcome));
    }

    private static String merged(GatherPipeline pipeline, List<GatherPipeline.Outcome> outcomes) throws Exception {
        ByteSink out = new ByteSink(256);
        pipeline.merge(outcomes, NO_RULES, new byte[0]).write(ExpositionFormat.TEXT, out);
        return out.toString();
    }

    /**
     * The limit counts the samples left after metric relabeling, and the report says how many the
     * body had and how many relabeling left, as Prometheus 2.42's does for a scrape over its
     * sample_limit (up 0, scrape_samples_scraped 8 and post_metric_relabeling 7 for a body of 8
     * samples, one dropped, over a limit of 5: checked by hand against Debian's binary).
     */
    @Test
    void aTargetOverTheSampleLimitFailsAsAWhole() throws Exception {
        GatherPipeline pipeline = new GatherPipeline(1, SampleLimits.NONE);
        GatherPipeline.Outcome outcome = pipeline.read(body("a 1\nb 2\nc 3\n"),
                metricRules("{source_labels: [__name__], regex: c, action: drop}"));
        assertEquals(ScrapeResult.Failure.SAMPLE_LIMIT, outcome.result().failure());
        assertEquals("2 samples, more than gateway.scrape.sample-limit=1", outcome.result().message());
        assertNull(outcome.exposition());
        String labels = "{instance=\"10.0.0.1:8443\",pod=\"virt-handler-1\"}";
        assertEquals("""
                # HELP up 1 if the target was scraped successfully, 0 otherwise.
                # TYPE up gauge
                up%1$s 0
                # HELP scrape_duration_seconds Duration of the scrape of the target.
                # TYPE scrape_duration_seconds gauge
                scrape_duration_seconds%1$s 0.25
                # HELP scrape_samples_scraped Samples the target exposed.
                # TYPE scrape_samples_scraped gauge
                scrape_samples_scraped%1$s 3
                # HELP scrape_samples_post_metric_relabeling Samples left after metric relabeling.
                # TYPE scrape_samples_post_metric_relabeling gauge
                scrape_samples_post_metric_relabeling%1$s 2
                # HELP scrape_series_added Series of this scrape that were not in the previous one.
                # TYPE scrape_series_added gauge
                scrape_series_added%1$s 0
                """.formatted(labels), merged(pipeline, outcome));
    }

    /** Limits as Prometheus checks them: after relabeling, target labels (here pod, instance) and __name__ included. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "at the label limit | 5,0,0,0 | a{x=\"1\",y=\"2\"} 1 | ",
        "over the label limit | 5,0,0,0 | a{x=\"1\",y=\"2\",z=\"3\"} 1 | label_limit: line 1: label_limit exceeded (metric: a, number of labels: 6, limit: 5)",
        "target labels count | 3,0,0,0 | a{x=\"1\"} 1 | label_limit: line 1: label_limit exceeded (metric: a, number of labels: 4, limit: 3)",
        "long label name | 0,8,0,0 | a{long_name=\"1\"} 1 | label_name_length_limit: line 1: label_name_length_limit exceeded (metric: a, label name: long_name, length: 9, limit: 8)",
        "__name__ is a label | 0,0,5,0 | abcdef 1 | label_value_length_limit: line 1: label_value_length_limit exceeded (metric: abcdef, label name: __name__, length: 6, limit: 5)",
        "multi-byte values counted in bytes | 0,0,14,0 | a{x=\"ßßßßßßßß\"} 1 | label_value_length_limit: line 1: label_value_length_limit exceeded (metric: a, label name: x, length: 16, limit: 14)",
        "target label values count | 0,0,13,0 | a 1 | label_value_length_limit: line 1: label_value_length_limit exceeded (metric: a, label name: pod, length: 14, limit: 13)",
        "long line | 0,0,0,10 | a{x=\"12345\"} 1 | line_length_limit: line 1: line of 14 bytes, more than gateway.scrape.line-length-limit=10",
    })
    void failsATargetOverALimit(String what, String limits, String body, String failure) {
        int[] l = java.util.Arrays.stream(limits.split(",")).mapToInt(Integer::parseInt).toArray();
        GatherPipeline.Outcome outcome = new GatherPipeline(0, new SampleLimits(l[0], l[1], l[2], l[3]))
                .read(body(body + "\n"), NO_RULES);
        String actual = outcome.result().ok() ? null
                : outcome.result().failure().reason() + ": " + outcome.result().message();
        assertEquals(failure, actual, what);
    }

    @Test
    void countsAValuesBytesUnescaped() {
        // Eight escaped backslashes: 16 bytes in the body, 8 in the value Prometheus stores.
        String body = "a{x=\"" + "\\\\".repeat(8) + "\"} 1\n";
        assertNull(new GatherPipeline(0, new SampleLimits(0, 0, 14, 0)).read(body(body), NO_RULES).result().failure());
        assertEquals("line 1: label_value_length_limit exceeded (metric: a, label name: x, length: 8, limit: 7)",
                new GatherPipeline(0, new SampleLimits(0, 0, 7, 0)).read(body(body), NO_RULES).result().message());
    }

    /**
     * A body that breaks part-way reports the samples read before the break (the one that failed a
     * check included) and those kept, as Prometheus 2.42 does: each row's counts are what Debian's
     * binary reported for the same body and rule (a label limit of 3 counts __name__ and its two
     * target labels, as here).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a value that is not a number | a 1\\nb 2\\nc 3\\nd x\\ne 1 | | 0 | parse | 3 | 3",
        "unterminated label value, one sample dropped | a 1\\nb{x=\"2\"} 2\\nc 3\\nd{x=\"1} 4\\ne 1"
                + " | {source_labels: [x], regex: \"2\", action: drop} | 0 | parse | 3 | 2",
        "over the label limit | a 1\\nb 1\\nc{x=\"1\",y=\"2\",z=\"3\"} 1\\nd 1 | | 3 | label_limit | 3 | 2",
    })
    void aBodyThatBreaksPartWayReportsWhatWasReadBeforeTheBreak(String what, String body, String rule, int labelLimit,
            String reason, int scraped, int kept) throws Exception {
        GatherPipeline.Outcome outcome = new GatherPipeline(0, new SampleLimits(labelLimit, 0, 0, 0))
                .read(body(body.replace("\\n", "\n") + "\n"), rule == null ? NO_RULES : metricRules(rule));
        assertEquals(reason, outcome.result().failure().reason(), what);
        assertEquals(scraped, outcome.scraped(), what);
        assertEquals(kept, outcome.kept(), what);
    }

    @Test
    void aBrokenBodyFailsItsTargetWithTheParsersReason() {
        GatherPipeline.Outcome outcome = new GatherPipeline(0, SampleLimits.NONE).read(body("a 1\nb{x=\"1} 2\n"), NO_RULES);
        assertEquals(ScrapeResult.Failure.PARSE, outcome.result().failure());
        assertEquals("line 2: unterminated value of label \"x\"", outcome.result().message());
    }

    /** A reader bug is simulated by a result whose length overstates its body. */
    @Test
    void anUnexpectedErrorReadingOneBodyFailsThatTargetAlone() throws Exception {
        GatherPipeline pipeline = new GatherPipeline(0, SampleLimits.NONE);
        byte[] bytes = "a 1\n".getBytes(StandardCharsets.UTF_8);
        GatherPipeline.Outcome broken = pipeline.read(new ScrapeResult(TARGET, bytes, 100, "text/plain", 0.25, null,
                null), NO_RULES);
        assertEquals(ScrapeResult.Failure.INTERNAL, broken.result().failure());
        assertTrue(broken.result().message().startsWith("the gateway failed reading the body: "
                + "java.lang.ArrayIndexOutOfBoundsException"), broken.result().message());
        GatherPipeline.Outcome fine = pipeline.read(new ScrapeResult(OTHER, bytes, bytes.length, "text/plain", 0.25,
                null, null), NO_RULES);
        String answer = merged(pipeline, List.of(broken, fine));
        assertTrue(answer.contains("up{instance=\"10.0.0.1:8443\",pod=\"virt-handler-1\"} 0\n"), answer);
        assertTrue(answer.contains("a{instance=\"10.0.0.2:8443\",pod=\"virt-handler-2\"} 1\n"), answer);
    }

    @Test
    void aMergeThatFailsGivesTheBodiesBack() {
        MemoryBudget budget = new MemoryBudget(TestConfig.of(Map.of("gateway.scrape.memory-budget", "1M")));
        byte[] bytes = "a 1\n".getBytes(StandardCharsets.UTF_8);
        GatherPipeline pipeline = new GatherPipeline(0, SampleLimits.NONE);
        GatherPipeline.Outcome outcome = pipeline.read(new ScrapeResult(TARGET, bytes, bytes.length, "text/plain",
                0.25, null, null, Leases.holding(budget, TARGET.url(), 100)), NO_RULES);
        assertEquals(100, budget.used());
        assertThrows(ParseException.class, () -> pipeline.answer(List.of(outcome), NO_RULES,
                () -> "broken{ 1\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(bytes.length, budget.used(), "only the body's buffer is left, as the target's spare");
    }

    @Test
    void seriesAddedCountsSeriesNotInThePreviousScrape() {
        GatherPipeline pipeline = new GatherPipeline(0, SampleLimits.NONE);
        assertEquals(2, pipeline.read(body("a 1\nb 2\n"), NO_RULES).seriesAdded());
        assertEquals(0, pipeline.read(body("a 5\nb 6\n"), NO_RULES).seriesAdded());
        assertEquals(1, pipeline.read(body("a 5\nc{x=\"y\"} 6\n"), NO_RULES).seriesAdded());
        assertEquals(0, pipeline.read(body("c{x=\"y\"} 7\na 8\n"), NO_RULES).seriesAdded(), "the same series reordered");
        assertEquals(2, pipeline.read(body("z 1\nc{x=\"y\"} 7\nb 1\n"), NO_RULES).seriesAdded(), "reordered, one gone, two new");
    }

    /** A target's labels are made once while it stays, and forgotten with it. */
    @Test
    void keepsATargetsLabelsWhileTheTargetStays() throws Exception {
        GatherPipeline pipeline = new GatherPipeline(0, SampleLimits.NONE);
        GatherPipeline.Outcome first = pipeline.read(body("a 1\n"), NO_RULES);
        merged(pipeline, first);
        GatherPipeline.Outcome second = pipeline.read(body("a 2\n"), NO_RULES);
        assertSame(first.labels(), second.labels());
        merged(pipeline, List.of()); // A gather without the target.
        GatherPipeline.Outcome third = pipeline.read(body("a 3\n"), NO_RULES);
        assertNotSame(first.labels(), third.labels());
        assertEquals(first.labels(), third.labels());
    }

    /**
     * A target's index arrays go to its next read when no one holds the answer any more, not
     * before: a request still writing it reads them. A merge that fails gives them back too.
     */
    @Test
    void anAnswerGivesItsIndexArraysBackWhenTheLastHolderIsDone() throws Exception {
        IndexSpares spares = new IndexSpares();
        GatherPipeline pipeline = new GatherPipeline(0, SampleLimits.NONE, spares);
        SharedAnswer answer = pipeline.answer(List.of(pipeline.read(body("a 1\n"), NO_RULES),
                pipeline.read(new ScrapeResult(OTHER, null, 0, null, 0.25, ScrapeResult.Failure.TIMEOUT, "timeout"),
                        NO_RULES)), NO_RULES, () -> new byte[0]);
        SharedAnswer.Use request = answer.use();
        answer.release(); // The gather's own hold.
        assertNull(spares.take(TARGET), "a request still writes the answer");
        request.close();
        assertNotNull(spares.take(TARGET));
        assertNull(spares.take(OTHER), "a failed target read nothing");

        GatherPipeline.Outcome outcome = pipeline.read(body("a 2\n"), NO_RULES);
        assertThrows(ParseException.class, () -> pipeline.answer(List.of(outcome), NO_RULES,
                () -> "broken{ 1\n".getBytes(StandardCharsets.UTF_8)));
        assertNotNull(spares.take(TARGET));
    }
}
