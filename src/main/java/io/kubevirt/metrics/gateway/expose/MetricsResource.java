package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.auth.Caller;
import io.kubevirt.metrics.gateway.auth.DataEndpoint;
import io.kubevirt.metrics.gateway.auth.DataEndpointGate;
import io.kubevirt.metrics.gateway.auth.GateException;
import io.kubevirt.metrics.gateway.auth.KubernetesGate;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.scrape.ScrapeTimeout;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * {@code GET /metrics}: every target's metrics, the per-target report series and the gateway's
 * own metrics, merged into one exposition: OpenMetrics when the client prefers it (Prometheus
 * does), with the targets' exemplars and units, otherwise text format 0.0.4; gzip when the client
 * accepts it. A tenant (see {@link DataEndpointGate}) gets only the series of the namespaces it
 * may read.
 */
@Path("/metrics")
@DataEndpoint
public class MetricsResource {
    private static final Logger LOG = Logger.getLogger(MetricsResource.class);

    private final Gatherer gatherer;
    private final KubernetesGate gate;
    private final GatewayConfig.Scrape config;

    public MetricsResource(Gatherer gatherer, KubernetesGate gate, GatewayConfig config) {
        this.gatherer = gatherer;
        this.gate = gate;
        this.config = config.scrape();
    }

    @GET
    public Uni<Response> metrics(@HeaderParam("X-Prometheus-Scrape-Timeout-Seconds") String scrapeTimeout,
            @HeaderParam("Accept") String accept, RoutingContext request) {
        Caller caller = request.get(DataEndpointGate.CALLER);
        ExpositionFormat format = ExpositionFormat.preferredBy(accept);
        Uni<Buffer> answer = Uni.createFrom().completionStage(() -> gatherer.gather(ScrapeTimeout.of(scrapeTimeout,
                config), format));
        if (caller == null || caller.full()) {
            return answer.map(body -> Response.ok(body, format.contentType()).build());
        }
        // A tenant: only the series of the namespaces it may read, asked of the API server.
        return answer.emitOn(Infrastructure.getDefaultWorkerPool())
                .map(body -> tenantView(caller, body.getBytes(), format));
    }

    private Response tenantView(Caller caller, byte[] merged, ExpositionFormat format) {
        try {
            Set<String> readable = gate.readableNamespaces(caller, NamespaceFilter.namespaces(merged, merged.length));
            if (readable.isEmpty()) {
                LOG.debugf("%s may read no namespace of the answer", caller.user());
                return Response.status(403).build();
            }
            return Response.ok(NamespaceFilter.keep(merged, merged.length, readable), format.contentType()).build();
        } catch (GateException e) {
            LOG.debugf(e, "%s: %d %s", caller.user(), e.status(), e.getMessage());
            return Response.status(e.status()).build();
        }
    }
}
