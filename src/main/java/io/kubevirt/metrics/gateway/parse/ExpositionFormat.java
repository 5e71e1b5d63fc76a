package io.kubevirt.metrics.gateway.parse;

import java.util.Locale;

/** The exposition formats the gateway reads. Negotiation lives here, in one place. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4. */
    TEXT,
    /** OpenMetrics 1.0 text. */
    OPENMETRICS;

    /**
     * What the scraper asks targets for: OpenMetrics first (it carries more, e.g. exact counter
     * names), then the classic text format, as Prometheus 2.x does.
     */
    public static final String ACCEPT_HEADER =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    /** The format of a response body, from its Content-Type; anything but OpenMetrics is read as text 0.0.4. */
    public static ExpositionFormat ofContentType(String contentType) {
        if (contentType != null
                && contentType.toLowerCase(Locale.ROOT).startsWith("application/openmetrics-text")) {
            return OPENMETRICS;
        }
        return TEXT;
    }
}
