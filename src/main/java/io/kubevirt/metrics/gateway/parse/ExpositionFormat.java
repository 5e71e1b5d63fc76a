package io.kubevirt.metrics.gateway.parse;

import java.util.Locale;

/** The exposition formats the gateway reads and writes. Negotiation lives here, in one place. */
public enum ExpositionFormat {
    /** Prometheus text format 0.0.4. */
    TEXT("text/plain; version=0.0.4; charset=utf-8"),
    /** OpenMetrics 1.0 text. */
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    /**
     * What the scraper asks targets for: OpenMetrics first (it carries more, e.g. exact counter
     * names), then the classic text format, as Prometheus 2.x does.
     */
    public static final String ACCEPT_HEADER =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private static final String OPENMETRICS_TYPE = "application/openmetrics-text";

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    /** The Content-Type of an answer in this format. */
    public String contentType() {
        return contentType;
    }

    /** The format of a response body, from its Content-Type; anything but OpenMetrics is read as text 0.0.4. */
    public static ExpositionFormat ofContentType(String contentType) {
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(OPENMETRICS_TYPE)) {
            return OPENMETRICS;
        }
        return TEXT;
    }

    /**
     * The format to answer a request with this Accept header: OpenMetrics when the client names it
     * (version 1.0.0, 0.0.1 or none, which are the same text) with a quality at least that of the
     * text format, as Prometheus does by default; otherwise the text format 0.0.4, also for a
     * missing header and for wildcards, which older scrapers send.
     */
    public static ExpositionFormat preferredBy(String accept) {
        double openMetrics = 0;
        double text = 0;
        for (HeaderElement range : HeaderElement.list(accept)) {
            double quality = range.parameters().containsKey("q") ? quality(range.parameters().get("q")) : 1;
            String version = range.parameters().get("version");
            if (range.value().equals(OPENMETRICS_TYPE)
                    && (version == null || version.equals("1.0.0") || version.equals("0.0.1"))) {
                openMetrics = Math.max(openMetrics, quality);
            } else if (range.value().equals("text/plain") || range.value().equals("text/*")
                    || range.value().equals("*/*")) {
                text = Math.max(text, quality);
            }
        }
        return openMetrics > 0 && openMetrics >= text ? OPENMETRICS : TEXT;
    }

    private static double quality(String value) {
        try {
            double q = Double.parseDouble(value);
            return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
