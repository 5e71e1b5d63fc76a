package io.kubevirt.metrics.gateway.parse;

/** Metric family types of the text format 0.0.4 and OpenMetrics 1.0, as written in a {@code # TYPE} line. */
public enum MetricType {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram"),
    SUMMARY("summary"),
    /** 0.0.4's "no type given"; OpenMetrics calls it {@code unknown}. */
    UNTYPED("untyped"),
    /** OpenMetrics only. */
    INFO("info"),
    /** OpenMetrics only. */
    STATESET("stateset"),
    /** OpenMetrics only. */
    GAUGEHISTOGRAM("gaugehistogram");

    private final String text;

    MetricType(String text) {
        this.text = text;
    }

    /** The name as written in a text format 0.0.4 {@code # TYPE} line. */
    public String text() {
        return text;
    }

    /** The name as written in an OpenMetrics {@code # TYPE} line. */
    public String openMetricsText() {
        return this == UNTYPED ? "unknown" : text;
    }

    /** Parses the type word of a {@code # TYPE} line; null when the word is not a type of that format. */
    static MetricType of(byte[] buf, int start, int end, ExpositionFormat format) {
        String word = new String(buf, start, end - start, java.nio.charset.StandardCharsets.US_ASCII);
        switch (word) {
            case "counter": return COUNTER;
            case "gauge": return GAUGE;
            case "histogram": return HISTOGRAM;
            case "summary": return SUMMARY;
            default: break;
        }
        if (format == ExpositionFormat.TEXT) {
            return word.equals("untyped") ? UNTYPED : null;
        }
        switch (word) {
            case "unknown": return UNTYPED;
            case "info": return INFO;
            case "stateset": return STATESET;
            case "gaugehistogram": return GAUGEHISTOGRAM;
            default: return null;
        }
    }
}
