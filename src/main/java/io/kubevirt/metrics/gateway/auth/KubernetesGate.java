package io.kubevirt.metrics.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.vertx.ext.web.Router;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Who may read what, decided by the Kubernetes API server as kube-rbac-proxy does it: the bearer
 * token is authenticated with a TokenReview; a SubjectAccessReview for {@code get} on the
 * non-resource URL {@code /metrics} grants everything; otherwise, per namespace, one for the
 * tenant resource ({@code get} on KubeVirt's virtualmachineinstances by default) grants that
 * namespace's series. Answers are cached per token for {@code gateway.auth.cache-ttl}; a token
 * the API server did not authenticate is remembered for {@link #FAILED_TOKEN_TTL}, so that a flood
 * of bad tokens does not become a flood of TokenReviews; concurrent requests with one new token
 * share one review. The SubjectAccessReviews of a tenant's namespaces run in parallel, at most
 * {@link #PARALLEL_REVIEWS} at a time for the whole gateway. Blocking (it calls the API server):
 * call it from a worker thread. An API server that cannot be asked fails the request (500), never
 * opens it.
 */
@ApplicationScoped
public class KubernetesGate {
    static final String FULL_ACCESS_PATH = "/metrics";
    /** How long a token the API server refused is refused without asking again. */
    static final Duration FAILED_TOKEN_TTL = Duration.ofSeconds(10);
    /** SubjectAccessReviews under way at once, over all requests. */
    static final int PARALLEL_REVIEWS = 8;
    private static final int CACHE_ENTRIES = 4096;
    private static final Logger LOG = Logger.getLogger(KubernetesGate.class);

    private final GatewayConfig.Auth config;
    private final Instance<KubernetesClient> client;
    private final Cache<String, Caller> callers;
    private final Cache<String, GateException> refusedTokens;
    private final Cache<List<String>, Boolean> namespaces;
    private final ExecutorService reviews;

    public KubernetesGate(GatewayConfig config, Instance<KubernetesClient> client) {
        this.config = config.auth();
        this.client = client;
        this.callers = cache(this.config.cacheTtl());
        this.refusedTokens = cache(FAILED_TOKEN_TTL);
        this.namespaces = cache(this.config.cacheTtl());
        this.reviews = Executors.newFixedThreadPool(PARALLEL_REVIEWS, task -> {
            Thread thread = new Thread(task, "subject-access-review");
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void stop() {
        reviews.shutdown();
    }

    private static <K, V> Cache<K, V> cache(Duration ttl) {
        return Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(CACHE_ENTRIES).build();
    }

    public boolean enabled() {
        return config.enabled();
    }

    /**
     * With the gate on, Micrometer's own endpoint {@code /q/metrics} (which no filter of ours
     * sees) answers 404: its series, target URLs included, are in /metrics behind the gate.
     */
    void closeMicrometerEndpoint(@Observes Router router) {
        if (config.enabled()) {
            router.route("/q/metrics").order(Integer.MIN_VALUE).handler(request -> request.response()
                    .setStatusCode(404).end());
        }
    }

    /** The caller of a request with this Authorization header. */
    public Caller authenticate(String authorization) throws GateException {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            throw new GateException(401, "no bearer token");
        }
        String token = authorization.substring(7).strip();
        GateException refused = refusedTokens.getIfPresent(token);
        if (refused != null) {
            throw refused;
        }
        try {
            return callers.get(token, this::review); // One review for concurrent requests with one token.
        } catch (CompletionException e) {
            GateException failure = (GateException) e.getCause();
            if (failure.status() == 401) {
                refusedTokens.put(token, failure);
            }
            throw failure;
        }
    }

    /** The caller with this token, as the API server tells; GateException wrapped in a CompletionException. */
    private Caller review(String token) {
        try {
            TokenReview review;
            try {
                review = client.get().tokenReviews().create(new TokenReviewBuilder().withNewSpec().withToken(token)
                        .endSpec().build());
            } catch (RuntimeException e) {
                throw new GateException(500, "TokenReview failed: " + e.getMessage(), e);
            }
            if (review.getStatus() == null || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
                throw new GateException(401, "token not authenticated"
                        + (review.getStatus() == null ? "" : ": " + review.getStatus().getError()));
            }
            UserInfo user = review.getStatus().getUser();
            Caller caller = new Caller(user.getUsername(), user.getUid(), user.getGroups(), user.getExtra(), token,
                    false);
            return caller.withFull(allowed(caller, new SubjectAccessReviewSpecBuilder()
                    .withNewNonResourceAttributes().withPath(FULL_ACCESS_PATH).withVerb("get")
                    .endNonResourceAttributes()));
        } catch (GateException e) {
            throw new CompletionException(e);
        }
    }

    /** Of {@code candidates}, the namespaces whose series the caller may read; those not cached are asked in parallel. */
    public Set<String> readableNamespaces(Caller caller, Set<String> candidates) throws GateException {
        Set<String> readable = new TreeSet<>();
        List<String> asked = new ArrayList<>();
        List<CompletableFuture<Boolean>> answers = new ArrayList<>();
        GatewayConfig.Tenant tenant = config.tenant();
        for (String namespace : candidates) {
            Boolean allowed = namespaces.getIfPresent(List.of(caller.token(), namespace));
            if (allowed == null) {
                asked.add(namespace);
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return allowed(caller, new SubjectAccessReviewSpecBuilder().withNewResourceAttributes()
                                .withGroup(tenant.group()).withResource(tenant.resource()).withVerb(tenant.verb())
                                .withNamespace(namespace).endResourceAttributes());
                    } catch (GateException e) {
                        throw new CompletionException(e);
                    }
                }, reviews));
            } else if (allowed) {
                readable.add(namespace);
            }
        }
        for (int i = 0; i < asked.size(); i++) {
            boolean allowed;
            try {
                allowed = answers.get(i).join();
            } catch (CompletionException e) {
                throw (GateException) e.getCause();
            }
            namespaces.put(List.of(caller.token(), asked.get(i)), allowed);
            if (allowed) {
                readable.add(asked.get(i));
            }
        }
        return readable;
    }

    private boolean allowed(Caller caller, SubjectAccessReviewSpecBuilder spec) throws GateException {
        SubjectAccessReview review = new SubjectAccessReviewBuilder().withSpec(spec.withUser(caller.user())
                .withUid(caller.uid()).withGroups(caller.groups())
                .withExtra(caller.extra() == null ? Map.of() : caller.extra()).build()).build();
        try {
            SubjectAccessReview answer = client.get().authorization().v1().subjectAccessReview().create(review);
            boolean allowed = answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
            LOG.debugf("%s %s: %s", caller.user(), spec.build(), allowed ? "allowed" : "denied");
            return allowed;
        } catch (RuntimeException e) {
            throw new GateException(500, "SubjectAccessReview failed: " + e.getMessage(), e);
        }
    }
}
