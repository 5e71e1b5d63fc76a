package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatherPipelineTest {
    private static final ScrapeTarget TARGET = new ScrapeTarget("https://10.0.0.1:8443/metrics", true, "10.0.0.1", 8443,
            "/metrics", Map.of("pod", "virt-handler-1", "instance", "10.0.0.1:8443"));
    private static final RelabelConfig NO_RULES = RelabelConfig.builtIn();

    private static ScrapeResult body(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new ScrapeResult(TARGET, bytes, bytes.length, "text/plain; version=0.0.4", 0.25, null, null);
    }

    private static String merged(GatherPipeline pipeline, GatherPipeline.Outcome outcome) throws Exception {
        ByteSink out = new ByteSink(256);
        pipeline.merge(List.of(outcome), NO_RULES, new byte[0], out);
        return out.toString();
    }

    @Test
    void aTargetOverTheSampleLimitFailsAsAWhole() throws Exception {
        GatherPipeline pipeline = new GatherPipeline(2);
        GatherPipeline.Outcome outcome = pipeline.read(body("a 1\nb 2\nc 3\n"), NO_RULES);
        assertEquals(ScrapeResult.Failure.SAMPLE_LIMIT, outcome.result().failure());
        assertEquals("3 samples, more than gateway.scrape.sample-limit=2", outcome.result().message());
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
                scrape_samples_scraped%1$s 0
                # HELP scrape_samples_post_metric_relabeling Samples left after metric relabeling.
                # TYPE scrape_samples_post_metric_relabeling gauge
                scrape_samples_post_metric_relabeling%1$s 0
                # HELP scrape_series_added Series of this scrape that were not in the previous one.
                # TYPE scrape_series_added gauge
                scrape_series_added%1$s 0
                """.formatted(labels), merged(pipeline, outcome));
    }

    @Test
    void aBrokenBodyFailsItsTargetWithTheParsersReason() {
        GatherPipeline.Outcome outcome = new GatherPipeline(0).read(body("a 1\nb{x=\"1} 2\n"), NO_RULES);
        assertEquals(ScrapeResult.Failure.PARSE, outcome.result().failure());
        assertEquals("line 2: unterminated value of label \"x\"", outcome.result().message());
    }

    @Test
    void seriesAddedCountsSeriesNotInThePreviousScrape() {
        GatherPipeline pipeline = new GatherPipeline(0);
        assertEquals(2, pipeline.read(body("a 1\nb 2\n"), NO_RULES).seriesAdded());
        assertEquals(0, pipeline.read(body("a 5\nb 6\n"), NO_RULES).seriesAdded());
        assertEquals(1, pipeline.read(body("a 5\nc{x=\"y\"} 6\n"), NO_RULES).seriesAdded());
    }
}
