package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The series Prometheus records about each scrape of a target it scrapes itself, with the same
 * names and meaning, so that rules and alerts built on them (KubeVirt's own use
 * {@code up{namespace="kubevirt", pod=~"virt-handler-.*"}}) keep working through the gateway. The
 * merger gives them the target's labels; like in Prometheus, metric relabeling does not touch them.
 */
final class ReportSeries {
    private ReportSeries() {
    }

    /**
     * The report of one target as exposition text.
     *
     * @param scraped samples in the body (0 when the scrape failed; of a body that failed, those
     *     read, as Prometheus counts them)
     * @param kept samples after metric relabeling, counted the same way
     * @param added series not in the target's previous scrape
     */
    static byte[] render(ScrapeResult result, int scraped, int kept, int added) {
        String text = String.format(Locale.ROOT, """
                # HELP up 1 if the target was scraped successfully, 0 otherwise.
                # TYPE up gauge
                up %d
                # HELP scrape_duration_seconds Duration of the scrape of the target.
                # TYPE scrape_duration_seconds gauge
                scrape_duration_seconds %s
                # HELP scrape_samples_scraped Samples the target exposed.
                # TYPE scrape_samples_scraped gauge
                scrape_samples_scraped %d
                # HELP scrape_samples_post_metric_relabeling Samples left after metric relabeling.
                # TYPE scrape_samples_post_metric_relabeling gauge
                scrape_samples_post_metric_relabeling %d
                # HELP scrape_series_added Series of this scrape that were not in the previous one.
                # TYPE scrape_series_added gauge
                scrape_series_added %d
                """, result.ok() ? 1 : 0, Double.toString(result.durationSeconds()), scraped, kept, added);
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
