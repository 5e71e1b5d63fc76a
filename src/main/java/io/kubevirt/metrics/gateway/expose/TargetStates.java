package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.discovery.Discovery;
import io.kubevirt.metrics.gateway.discovery.ShardMembership;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelConfigStore;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway knows about its targets, in one place: which ones it scrapes now (discovered,
 * relabeled, this replica's share), which discovered ones it drops, and the last scrape of each.
 * The gatherer takes its targets from here and records its outcomes here; the targets API and
 * page read it. Thread safe.
 */
@ApplicationScoped
public class TargetStates {
    private final Discovery discovery;
    private final ShardMembership shard;
    private final RelabelConfigStore relabelConfig;
    private final Map<ScrapeTarget, LastScrape> last = new ConcurrentHashMap<>();

    public TargetStates(Discovery discovery, ShardMembership shard, RelabelConfigStore relabelConfig) {
        this.discovery = discovery;
        this.shard = shard;
        this.relabelConfig = relabelConfig;
    }

    /**
     * The last scrape of a target.
     *
     * @param at when the scrape began
     * @param durationSeconds how long it took
     * @param error why it failed ({@code reason: detail}), or null
     * @param samples samples the target exposed (0 when the scrape failed)
     */
    public record LastScrape(Instant at, double durationSeconds, String error, int samples) {
        public boolean up() {
            return error == null;
        }
    }

    /** An active target and its last scrape (null before its first). */
    public record Active(ScrapeTarget target, DiscoveredTarget discovered, LastScrape last) {
    }

    /** The active targets and the dropped ones. */
    public record View(List<Active> active, List<DiscoveredTarget> dropped) {
    }

    /** The targets this replica scrapes now, relabeled with {@code config}. */
    GatherPipeline.Targets current(RelabelConfig config) {
        return GatherPipeline.targets(discovery.targets(), config.targetRules()).ownedBy(shard.owner());
    }

    /** Records a gather's outcomes; forgets the targets it no longer scrapes. */
    void record(List<GatherPipeline.Outcome> outcomes) {
        Set<ScrapeTarget> scraped = new HashSet<>();
        Instant now = Instant.now();
        for (GatherPipeline.Outcome outcome : outcomes) {
            ScrapeResult result = outcome.result();
            scraped.add(result.target());
            last.put(result.target(), new LastScrape(now.minusNanos((long) (result.durationSeconds() * 1e9)),
                    result.durationSeconds(), result.ok() ? null : result.failure().reason() + ": " + result.message(),
                    outcome.exposition() == null ? 0 : outcome.exposition().scrapedCount()));
        }
        last.keySet().retainAll(scraped);
    }

    /** The current targets with their last scrapes. */
    public View view() {
        GatherPipeline.Targets targets = current(relabelConfig.current());
        List<Active> active = new ArrayList<>(targets.active().size());
        for (ScrapeTarget target : targets.active()) {
            active.add(new Active(target, targets.discovered().get(target), last.get(target)));
        }
        return new View(active, targets.dropped());
    }
}
