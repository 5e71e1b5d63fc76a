package io.kubevirt.metrics.gateway.health;

import io.kubevirt.metrics.gateway.discovery.Discovery;
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

    public DiscoveryReadiness(Discovery discovery) {
        this.discovery = discovery;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("discovery");
        for (TargetSource source : discovery.sources()) {
            response.withData(source.name(), source.ready() ? "ready" : "waiting for the first complete view");
        }
        return response.status(discovery.ready()).build();
    }
}
