package io.kubevirt.metrics.gateway.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpecBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Who may read what, decided by the Kubernetes API server as kube-rbac-proxy does it: the bearer
 * token is authenticated with a TokenReview; a SubjectAccessReview for {@code get} on the
 * non-resource URL {@code /metrics} grants everything; otherwise, per namespace, one for the
 * tenant resource ({@code get} on KubeVirt's virtualmachineinstances by default) grants that
 * namespace's series. Answers are cached per token for {@code gateway.auth.cache-ttl}. Blocking
 * (it calls the API server): call it from a worker thread. An API server that cannot be asked
 * fails the request (500), never opens it.
 */
@ApplicationScoped
public class KubernetesGate {
    static final String FULL_ACCESS_PATH = "/metrics";
    private static final int CACHE_ENTRIES = 4096;
    private static final Logger LOG = Logger.getLogger(KubernetesGate.class);

    private final GatewayConfig.Auth config;
    private final Instance<KubernetesClient> client;
    private final ExpiringCache<String, Caller> callers;
    private final ExpiringCache<List<String>, Boolean> namespaces;

    public KubernetesGate(GatewayConfig config, Instance<KubernetesClient> client) {
        this.config = config.auth();
        this.client = client;
        this.callers = new ExpiringCache<>(this.config.cacheTtl(), CACHE_ENTRIES);
        this.namespaces = new ExpiringCache<>(this.config.cacheTtl(), CACHE_ENTRIES);
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
        Caller cached = callers.get(token);
        if (cached != null) {
            return cached;
        }
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
        Caller caller = new Caller(user.getUsername(), user.getUid(), user.getGroups(), user.getExtra(), token, false);
        caller = caller.withFull(allowed(caller, new SubjectAccessReviewSpecBuilder().withNewNonResourceAttributes()
                .withPath(FULL_ACCESS_PATH).withVerb("get").endNonResourceAttributes()));
        callers.put(token, caller);
        return caller;
    }

    /** Of {@code candidates}, the namespaces whose series the caller may read. */
    public Set<String> readableNamespaces(Caller caller, Set<String> candidates) throws GateException {
        Set<String> readable = new TreeSet<>();
        GatewayConfig.Tenant tenant = config.tenant();
        for (String namespace : candidates) {
            List<String> key = List.of(caller.token(), namespace);
            Boolean allowed = namespaces.get(key);
            if (allowed == null) {
                allowed = allowed(caller, new SubjectAccessReviewSpecBuilder().withNewResourceAttributes()
                        .withGroup(tenant.group()).withResource(tenant.resource()).withVerb(tenant.verb())
                        .withNamespace(namespace).endResourceAttributes());
                namespaces.put(key, allowed);
            }
            if (allowed) {
                readable.add(namespace);
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
