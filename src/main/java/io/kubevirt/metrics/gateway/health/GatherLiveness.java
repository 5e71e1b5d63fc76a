package io.kubevirt.metrics.gateway.health;

import io.kubevirt.metrics.gateway.expose.Gatherer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live unless a gather has been running for far longer than any scrape timeout allows: then the
 * pipeline is wedged and a restart is the cure. (That the probe is answered at all shows the event
 * loops answer.)
 */
@Liveness
@ApplicationScoped
public class GatherLiveness implements HealthCheck {
    static final Duration WEDGED = Duration.ofMinutes(5);

    private final Gatherer gatherer;

    public GatherLiveness(Gatherer gatherer) {
        this.gatherer = gatherer;
    }

    @Override
    public HealthCheckResponse call() {
        Duration running = gatherer.runningFor();
        return HealthCheckResponse.named("gather")
                .status(running.compareTo(WEDGED) < 0)
                .withData("running-for-seconds", running.toSeconds())
                .build();
    }
}
