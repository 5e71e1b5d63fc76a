package io.kubevirt.metrics.gateway.expose;

import com.sun.management.OperatingSystemMXBean;
import io.kubevirt.metrics.gateway.discovery.Discovery;
import io.kubevirt.metrics.gateway.discovery.SyncState;
import io.kubevirt.metrics.gateway.discovery.TargetSource;
import io.kubevirt.metrics.gateway.merge.MergeReport;
import io.kubevirt.metrics.gateway.scrape.MemoryBudget;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's reports on itself, all named {@code kubevirt_metrics_gateway_*}; they are part of
 * the merged /metrics output. Every meter (JVM and HTTP ones too) gets the prefix, so none can
 * collide with a KubeVirt family of the same name.
 */
@Singleton
public class GatewayMetrics {
    static final String PREFIX = OwnMeters.PREFIX;

    private final MeterRegistry registry;
    private final Timer gatherDuration;
    private final Counter coalesced;
    private final Counter reused;
    private final AtomicInteger targets = new AtomicInteger();
    private final List<Meter> sourceMeters = new ArrayList<>();

    public GatewayMetrics(MeterRegistry registry, Discovery discovery, MemoryBudget budget) {
        this.registry = registry;
        Gauge.builder(PREFIX + "memory.budget", budget, MemoryBudget::limit)
                .description("The memory the scraped bodies may take together (gateway.scrape.memory-budget).")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(PREFIX + "memory.budget.used", budget, MemoryBudget::used)
                .description("The memory the scraped bodies take now (in use, or kept for their target's next "
                        + "body); a body that would take it over the budget fails its target with reason memory_budget.")
                .baseUnit("bytes")
                .register(registry);
        for (TargetSource source : discovery.sources()) {
            sourceMeters.add(Gauge.builder(PREFIX + "discovery.up", source.sync(), s -> s.inSync() ? 1 : 0)
                    .description("1 while the discovery source's view is current, 0 while it cannot see changes "
                            + "(its last known targets are still scraped).")
                    .tag("source", source.name())
                    .register(registry));
            sourceMeters.add(Gauge.builder(PREFIX + "discovery.last.sync.timestamp", source.sync(),
                            SyncState::lastSyncSeconds)
                    .description("When the discovery source's view was last known to be current, in seconds since "
                            + "the epoch.")
                    .baseUnit("seconds")
                    .tag("source", source.name())
                    .register(registry));
            sourceMeters.add(Gauge.builder(PREFIX + "targets", source, s -> s.targets().size())
                    .description("Targets the discovery source knows, before relabeling and sharding.")
                    .tag("source", source.name())
                    .register(registry));
        }
        this.gatherDuration = Timer.builder(PREFIX + "gather.duration")
                .description("Time to scrape all targets and merge their metrics, per gather (writing the answer out "
                        + "is not included: each request streams it).")
                .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
                        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10))
                .register(registry);
        this.coalesced = Counter.builder(PREFIX + "requests.coalesced")
                .description("Requests for /metrics answered by a scrape of all targets that was already running.")
                .register(registry);
        this.reused = Counter.builder(PREFIX + "requests.reused")
                .description("Requests for /metrics answered with the last answer, younger than "
                        + "gateway.scrape.min-interval.")
                .register(registry);
        // Prometheus' standard process CPU counter, in seconds (Micrometer's process.cpu.time counts
        // nanoseconds and is left out). Where the JVM or native image has no such bean, none.
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder(PREFIX + "process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("CPU time the gateway process has used.")
                    .baseUnit("seconds")
                    .register(registry);
        }
        for (String reason : List.of("deadline", "memory")) {
            answerAborted(reason); // Both at 0 from the start, for alerts on their rate.
        }
        Gauge.builder(PREFIX + "scrape.targets", targets, AtomicInteger::get)
                .description("Targets this replica scraped in its last gather (after relabeling and sharding).")
                .register(registry);
    }

    /**
     * The gauges read the discovery sources, which end with this application: they go with it. (In
     * a JVM that runs the gateway again, as the tests do, Micrometer's global registry would
     * otherwise hand them to the next instance, reading sources that no longer exist.)
     */
    void removeSourceMeters(@Observes ShutdownEvent event) {
        sourceMeters.forEach(registry::remove);
    }

    /** Every meter prefixed, described and lint-clean (see {@link OwnMeters}). */
    @Produces
    @Singleton
    static MeterFilter ownMeters() {
        return new OwnMeters();
    }

    void recordScrape(ScrapeResult result) {
        if (!result.ok()) {
            Counter.builder(PREFIX + "scrape.errors")
                    .description("Failed scrapes, by target and reason.")
                    .tag("target", result.target().url())
                    .tag("reason", result.failure().reason())
                    .register(registry)
                    .increment();
        }
    }

    /** Removes the error counters of targets this replica no longer scrapes, so pod churn does not pile up series. */
    void retainTargets(Set<String> urls) {
        for (Counter counter : registry.find(PREFIX + "scrape.errors").counters()) {
            if (!urls.contains(counter.getId().getTag("target"))) {
                registry.remove(counter);
            }
        }
    }

    void recordMerge(MergeReport report, int targetCount, long nanos) {
        targets.set(targetCount);
        gatherDuration.record(Duration.ofNanos(nanos));
        dropped("type_conflict", report.typeConflictSamples());
        dropped("duplicate", report.duplicateSamples());
    }

    void recordAnswerAborted(String reason) {
        answerAborted(reason).increment();
    }

    private Counter answerAborted(String reason) {
        return Counter.builder(PREFIX + "answers.aborted")
                .description("Answers whose reader was cut off before the end: deadline (still reading past its scrape "
                        + "timeout and a margin) or memory (a newer gather needed the memory its answer held).")
                .tag("reason", reason)
                .register(registry);
    }

    void recordCoalesced() {
        coalesced.increment();
    }

    void recordReused() {
        reused.increment();
    }

    private void dropped(String reason, int count) {
        Counter counter = Counter.builder(PREFIX + "series.dropped")
                .description("Samples left out of the merged output: type_conflict (the family name is taken by "
                        + "another type) or duplicate (the same series twice).")
                .tag("reason", reason)
                .register(registry);
        if (count > 0) {
            counter.increment(count);
        }
    }
}
