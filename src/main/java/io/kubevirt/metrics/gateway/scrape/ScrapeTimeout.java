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
        Duration asked = header(header);
        if (asked == null) {
            return config.timeout();
        }
        Duration timeout = asked.minus(config.timeoutMargin());
        return timeout.compareTo(MINIMUM) < 0 ? MINIMUM : timeout;
    }

    /** How long the client waits for its answer: the header's timeout, or without a valid one the configured timeout. */
    public static Duration asked(String header, GatewayConfig.Scrape config) {
        Duration asked = header(header);
        return asked == null ? config.timeout() : asked;
    }

    /** The timeout of a valid {@code X-Prometheus-Scrape-Timeout-Seconds} header, or null. */
    private static Duration header(String header) {
        if (header != null) {
            try {
                double seconds = Double.parseDouble(header.trim());
                if (seconds > 0 && Double.isFinite(seconds)) {
                    return Duration.ofNanos((long) (seconds * 1e9));
                }
            } catch (NumberFormatException e) {
                // Not a number: no timeout asked.
            }
        }
        return null;
    }
}
