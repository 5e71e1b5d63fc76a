package io.kubevirt.metrics.gateway.scrape;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import java.time.Duration;

/** The per-target deadline of a scrape, from Prometheus' own timeout when it sends one. */
public final class ScrapeTimeout {
    /** Never less than this, however small Prometheus' timeout. */
    static final Duration MINIMUM = Duration.ofMillis(100);

    private ScrapeTimeout() {
    }

    /**
     * Prometheus' {@code X-Prometheus-Scrape-Timeout-Seconds} minus the configured margin, so the
     * gateway answers (with whatever it has) before Prometheus gives up; without a valid header,
     * the configured timeout.
     */
    public static Duration of(String header, GatewayConfig.Scrape config) {
        if (header != null) {
            try {
                double seconds = Double.parseDouble(header.trim());
                if (seconds > 0 && Double.isFinite(seconds)) {
                    Duration timeout = Duration.ofNanos((long) (seconds * 1e9)).minus(config.timeoutMargin());
                    return timeout.compareTo(MINIMUM) < 0 ? MINIMUM : timeout;
                }
            } catch (NumberFormatException e) {
                // Not a number: fall through to the configured timeout.
            }
        }
        return config.timeout();
    }
}
