package io.kubevirt.metrics.gateway.auth;

/**
 * A request the gate turns away, with the HTTP status to answer: 401 (no or an invalid token),
 * 403 (authenticated, not allowed), 500 (the API server could not be asked: fail closed). The
 * message is for the log; callers get the status only.
 */
public final class GateException extends Exception {
    private final int status;

    public GateException(int status, String message) {
        super(message);
        this.status = status;
    }

    public GateException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
