package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.scrape.ScrapeTimeout;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /metrics}: every target's metrics, the per-target report series and the gateway's
 * own metrics, merged into one text format 0.0.4 exposition (gzip when the client accepts it).
 */
@Path("/metrics")
public class MetricsResource {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Gatherer gatherer;
    private final GatewayConfig.Scrape config;

    public MetricsResource(Gatherer gatherer, GatewayConfig config) {
        this.gatherer = gatherer;
        this.config = config.scrape();
    }

    @GET
    public Uni<Response> metrics(@HeaderParam("X-Prometheus-Scrape-Timeout-Seconds") String scrapeTimeout) {
        return Uni.createFrom().completionStage(() -> gatherer.gather(ScrapeTimeout.of(scrapeTimeout, config)))
                .map(body -> Response.ok(body, CONTENT_TYPE).build());
    }
}
