package io.kubevirt.metrics.gateway.scrape;

/**
 * The outcome of one scrape: a body, or the reason it failed.
 *
 * @param target the target scraped
 * @param body the (decompressed) body; valid up to {@code length}; null on failure
 * @param length bytes of {@code body}
 * @param contentType the response's Content-Type, or null
 * @param durationSeconds wall-clock time from request to the body's end (or the failure)
 * @param failure why the scrape failed, or null
 * @param message a human-readable detail of the failure, or null
 * @param memory the body's share of the memory budget, or null
 */
public record ScrapeResult(ScrapeTarget target, byte[] body, int length, String contentType, double durationSeconds,
        Failure failure, String message, MemoryBudget.Lease memory) {

    /** A result outside the memory budget (tests, the demo). */
    public ScrapeResult(ScrapeTarget target, byte[] body, int length, String contentType, double durationSeconds,
            Failure failure, String message) {
        this(target, body, length, contentType, durationSeconds, failure, message, null);
    }

    /** Why a scrape failed; the value of the {@code reason} label of the error counter. */
    public enum Failure {
        /** TCP connection refused, unreachable or not established in time. */
        CONNECT("connect"),
        /** TLS handshake or certificate verification failed. */
        TLS("tls"),
        /** The per-target deadline passed. */
        TIMEOUT("timeout"),
        /** The target answered with a status other than 200. */
        HTTP_STATUS("http_status"),
        /** The body was larger than gateway.scrape.body-size-limit. */
        BODY_SIZE_LIMIT("body_size_limit"),
        /** The body would have taken the bodies in memory over gateway.scrape.memory-budget. */
        MEMORY_BUDGET("memory_budget"),
        /** The body was not valid exposition text. */
        PARSE("parse"),
        /** More samples than gateway.scrape.sample-limit. */
        SAMPLE_LIMIT("sample_limit"),
        /** The gateway failed reading a body it should have read: a bug, logged with its stack trace. */
        INTERNAL("internal"),
        /** A series with more labels than gateway.scrape.label-limit. */
        LABEL_LIMIT("label_limit"),
        /** A label name longer than gateway.scrape.label-name-length-limit. */
        LABEL_NAME_LENGTH_LIMIT("label_name_length_limit"),
        /** A label value longer than gateway.scrape.label-value-length-limit. */
        LABEL_VALUE_LENGTH_LIMIT("label_value_length_limit"),
        /** A line longer than gateway.scrape.line-length-limit. */
        LINE_LENGTH_LIMIT("line_length_limit"),
        /** Anything else (connection reset, ...). */
        OTHER("other");

        private final String reason;

        Failure(String reason) {
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }

        /** The failure of this reason. */
        public static Failure of(String reason) {
            for (Failure failure : values()) {
                if (failure.reason.equals(reason)) {
                    return failure;
                }
            }
            throw new IllegalArgumentException(reason);
        }
    }

    public boolean ok() {
        return failure == null;
    }

    static ScrapeResult failed(ScrapeTarget target, double durationSeconds, Failure failure, String message) {
        return new ScrapeResult(target, null, 0, null, durationSeconds, failure, message);
    }

    /** The same target and duration, failed later in the pipeline (parse, sample limit); the body's memory is given back. */
    public ScrapeResult failedWith(Failure reason, String detail) {
        releaseMemory();
        return failed(target, durationSeconds, reason, detail);
    }

    /**
     * Gives the body's share of the memory budget back: the body is no longer used, and its buffer
     * becomes the target's spare for its next scrape.
     */
    public void releaseMemory() {
        if (memory != null) {
            if (body != null) {
                memory.recycle(body);
            } else {
                memory.release();
            }
        }
    }
}
