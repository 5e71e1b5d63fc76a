package io.kubevirt.metrics.gateway.auth;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The gate in front of every data endpoint (the resources marked {@link DataEndpoint}:
 * {@code /metrics}, {@code /api/v1/targets}, {@code /targets}) when {@code gateway.auth.enabled}:
 * no or an invalid token is 401, an API server that cannot be asked is 500, and the targets API
 * and page need full access (403 for a tenant). The caller goes with the request for
 * {@code /metrics} to narrow a tenant's answer to its namespaces. The probes under
 * {@code /q/health} stay open for the kubelet. Reasons go to the debug log, not to the caller.
 */
public class DataEndpointGate {
    /** Where the caller is kept on the request. */
    public static final String CALLER = "kubevirt-metrics-gateway.caller";
    /** The one data endpoint a tenant may read (narrowed to its namespaces); the others need full access. */
    static final String TENANT_PATH = "/metrics";
    private static final Logger LOG = Logger.getLogger(DataEndpointGate.class);

    private final KubernetesGate gate;

    public DataEndpointGate(KubernetesGate gate) {
        this.gate = gate;
    }

    @DataEndpoint
    @ServerRequestFilter
    public Uni<Response> check(RoutingContext request) {
        if (!gate.enabled()) {
            return Uni.createFrom().nullItem();
        }
        String path = request.normalizedPath();
        String authorization = request.request().getHeader("Authorization");
        return Uni.createFrom().item(() -> {
            try {
                Caller caller = gate.authenticate(authorization);
                if (!caller.full() && !path.equals(TENANT_PATH)) {
                    throw new GateException(403, caller.user() + " may not get " + path);
                }
                request.put(CALLER, caller);
                return (Response) null;
            } catch (GateException e) {
                LOG.debugf(e, "%s %s: %d %s", request.request().method(), path, e.status(), e.getMessage());
                return Response.status(e.status()).build();
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
