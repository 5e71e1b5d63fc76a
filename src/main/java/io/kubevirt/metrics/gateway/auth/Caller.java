package io.kubevirt.metrics.gateway.auth;

import java.util.List;
import java.util.Map;

/**
 * An authenticated caller, as the API server's TokenReview names it, and whether it may read
 * everything (a SubjectAccessReview allowed {@code get} on the non-resource URL {@code /metrics}).
 *
 * @param token the bearer token, the key of the caches (never logged)
 */
public record Caller(String user, String uid, List<String> groups, Map<String, List<String>> extra, String token,
        boolean full) {

    /** The same caller, with full access or not. */
    Caller withFull(boolean full) {
        return new Caller(user, uid, groups, extra, token, full);
    }

    /** Without the token: a caller may be logged. */
    @Override
    public String toString() {
        return "Caller[user=" + user + ", groups=" + groups + ", full=" + full + "]";
    }
}
