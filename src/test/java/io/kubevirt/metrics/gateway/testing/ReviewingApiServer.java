package io.kubevirt.metrics.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.mockwebserver.dsl.MockServerExpectation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/** A mock API server that answers TokenReviews and SubjectAccessReviews as a test decides. */
public final class ReviewingApiServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** TokenReviews answered since the class was loaded. */
    public static final AtomicInteger TOKEN_REVIEWS = new AtomicInteger();

    private ReviewingApiServer() {
    }

    /**
     * @param expect the mock server's expectations
     * @param users the user each valid token authenticates as; other tokens are invalid
     * @param allowed whether a user may do what a SubjectAccessReview's spec asks (JSON)
     */
    public static void answer(Supplier<MockServerExpectation> expect, Map<String, String> users,
            BiPredicate<String, JsonNode> allowed) {
        expect.get().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(200, request -> {
            TOKEN_REVIEWS.incrementAndGet();
            String user = users.get(read(request.getUtf8Body()).path("spec").path("token").asText());
            return new TokenReviewBuilder().withNewStatus().withAuthenticated(user != null)
                    .withNewUser().withUsername(user).withGroups("system:authenticated").endUser().endStatus().build();
        }).always();
        expect.get().post().withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews").andReply(200, request -> {
            JsonNode spec = read(request.getUtf8Body()).path("spec");
            return new SubjectAccessReviewBuilder().withNewStatus()
                    .withAllowed(allowed.test(spec.path("user").asText(), spec)).endStatus().build();
        }).always();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
