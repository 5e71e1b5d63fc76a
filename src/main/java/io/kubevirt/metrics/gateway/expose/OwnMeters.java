package io.kubevirt.metrics.gateway.expose;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway's own meters look like in /metrics: each prefixed {@code kubevirt_metrics_gateway_}
 * (none can collide with a KubeVirt family), each with help text, and none that promtool's lint
 * flags. Micrometer's binders leave a few without a description (given here), and name two against
 * Prometheus' conventions: {@code process.cpu.time} counts nanoseconds (GatewayMetrics registers
 * {@code process_cpu_seconds_total}, Prometheus' own name, instead) and {@code system.cpu.count}
 * ends in {@code _count} as only summaries and histograms may (renamed {@code system.cpus}). The
 * long-task timer {@code http.server.connections} is left out: its registry writes two of its
 * series untyped and without help, and {@code http_server_active_connections} counts the same.
 */
final class OwnMeters implements MeterFilter {
    static final String PREFIX = "kubevirt.metrics.gateway.";

    private static final Set<String> DENIED = Set.of(PREFIX + "process.cpu.time", PREFIX + "http.server.connections");
    private static final Map<String, String> RENAMED = Map.of("system.cpu.count", "system.cpus");
    private static final Map<String, String> HELP = Map.of(
            "http.server.active.requests", "HTTP requests being served now.",
            "netty.allocator.memory.pinned", "Bytes of Netty's buffers in use, by allocator and memory type.",
            "netty.allocator.memory.used", "Bytes Netty's allocator holds, by allocator and memory type.",
            "netty.allocator.pooled.arenas", "Arenas of Netty's pooled allocator, by memory type.",
            "netty.allocator.pooled.cache.size", "Size of the caches of Netty's pooled allocator, by cache type.",
            "netty.allocator.pooled.chunk.size", "Chunk size of Netty's pooled allocator, in bytes.",
            "netty.allocator.pooled.threadlocal.caches", "Thread-local caches of Netty's pooled allocator.",
            "netty.eventexecutor.tasks.pending", "Tasks waiting in the queue of each Netty event loop.");

    @Override
    public Meter.Id map(Meter.Id id) {
        if (id.getName().startsWith(PREFIX)) {
            return id;
        }
        String name = RENAMED.getOrDefault(id.getName(), id.getName());
        String description = id.getDescription() != null && !id.getDescription().isBlank() ? id.getDescription()
                : HELP.getOrDefault(id.getName(), "Micrometer's " + id.getName()
                        + " (its binder gives no description).");
        return new Meter.Id(PREFIX + name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description,
                id.getType());
    }

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return DENIED.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }
}
