package io.kubevirt.metrics.gateway.health;

import io.kubevirt.metrics.gateway.discovery.Discovery;
import io.kubevirt.metrics.gateway.discovery.ShardMembership;
import io.kubevirt.metrics.gateway.discovery.TargetSource;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once every discovery source has its first complete view (informers synced, file_sd file
 * read): before that, /metrics would miss targets and Prometheus would record them as gone.
 */
@Readiness
@ApplicationScoped
public class DiscoveryReadiness implements HealthCheck {
    private final Discovery discovery;
    private final ShardMembership shard;

    public DiscoveryReadiness(Discovery discovery, ShardMembership shard) {
        this.discovery = discovery;
        this.shard = shard;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("discovery");
        for (TargetSource source : discovery.sources()) {
            response.withData(source.name(), source.ready() ? "ready" : "waiting for the first complete view");
        }
        if (shard.enabled()) {
            response.withData("shard", shard.ready() ? String.join(",", shard.members()) : "waiting for the endpoints");
        }
        return response.status(discovery.ready() && shard.ready()).build();
    }
}
