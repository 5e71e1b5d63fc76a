package io.kubevirt.metrics.gateway.health;

import io.kubevirt.metrics.gateway.expose.Gatherer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live unless a gather is more than {@link #MARGIN} past its deadline: every scrape ends by then
 * and the merge takes seconds at most, so such a gather is wedged, every request joins it and
 * none is answered; a restart is the cure. The margin covers merging a large answer and a busy
 * CPU.
 */
@Liveness
@ApplicationScoped
public class GatherLiveness implements HealthCheck {
    static final Duration MARGIN = Duration.ofSeconds(30);

    private final Gatherer gatherer;

    public GatherLiveness(Gatherer gatherer) {
        this.gatherer = gatherer;
    }

    @Override
    public HealthCheckResponse call() {
        Duration overdue = gatherer.overdue();
        return HealthCheckResponse.named("gather")
                .status(overdue.compareTo(MARGIN) <= 0)
                .withData("running-for-seconds", gatherer.runningFor().toSeconds())
                .withData("past-deadline-seconds", overdue.toSeconds())
                .build();
    }
}
