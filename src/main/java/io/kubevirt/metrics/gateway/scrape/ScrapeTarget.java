package io.kubevirt.metrics.gateway.scrape;

import java.util.Map;

/**
 * A target to scrape, after target relabeling.
 *
 * @param url what is scraped, also the target's identity in logs and metrics
 * @param https whether the scrape uses TLS
 * @param host host name or IP address (without IPv6 brackets)
 * @param port TCP port
 * @param pathAndQuery the request URI
 * @param labels the target labels every series of this target gets (no {@code __} labels)
 */
public record ScrapeTarget(String url, boolean https, String host, int port, String pathAndQuery,
        Map<String, String> labels) {
    public ScrapeTarget {
        labels = Map.copyOf(labels);
    }
}
