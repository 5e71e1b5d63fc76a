package io.kubevirt.metrics.gateway.parse;

/**
 * A body over one of the per-target limits: the target fails with {@link #reason()} (the
 * {@code reason} of its error counter, as Prometheus names the limit), not with a parse error.
 */
public final class LimitExceededException extends ParseException {
    private final String reason;

    public LimitExceededException(int line, String reason, String message) {
        super(line, message);
        this.reason = reason;
    }

    /**
     * {@code label_limit}, {@code label_name_length_limit}, {@code label_value_length_limit} or
     * {@code line_length_limit}.
     */
    public String reason() {
        return reason;
    }
}
