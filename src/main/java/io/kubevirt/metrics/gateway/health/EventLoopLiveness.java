package io.kubevirt.metrics.gateway.health;

import io.netty.util.concurrent.EventExecutor;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while every Vert.x event loop runs its tasks: each loop stamps a heartbeat every
 * {@link #BEAT}; a loop whose last beat is older than {@link #STALLED} is stuck (blocked, or its
 * thread died), and the connections it owns would never be answered. The probe is served by one
 * loop; this check sees the others. (A stuck loop that serves the probe fails it by timing out.)
 */
@Liveness
@ApplicationScoped
public class EventLoopLiveness implements HealthCheck {
    static final Duration BEAT = Duration.ofSeconds(1);
    static final Duration STALLED = Duration.ofSeconds(10);

    private final Vertx vertx;
    private final Duration stalled;
    private final List<AtomicLong> beats = new ArrayList<>();

    public EventLoopLiveness(Vertx vertx) {
        this(vertx, STALLED);
    }

    EventLoopLiveness(Vertx vertx, Duration stalled) {
        this.vertx = vertx;
        this.stalled = stalled;
    }

    void start(@Observes StartupEvent event) {
        start();
    }

    synchronized void start() {
        for (EventExecutor loop : ((VertxInternal) vertx).getEventLoopGroup()) {
            AtomicLong beat = new AtomicLong(System.nanoTime());
            beats.add(beat);
            loop.scheduleAtFixedRate(() -> beat.set(System.nanoTime()), BEAT.toMillis(), BEAT.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("event-loops");
        long now = System.nanoTime();
        int stuck = 0;
        long longest = 0;
        for (AtomicLong beat : beats) {
            long silent = now - beat.get();
            longest = Math.max(longest, silent);
            if (silent > stalled.toNanos()) {
                stuck++;
            }
        }
        return response.status(stuck == 0)
                .withData("loops", beats.size())
                .withData("stuck", stuck)
                .withData("longest-silence-ms", TimeUnit.NANOSECONDS.toMillis(longest))
                .build();
    }
}
