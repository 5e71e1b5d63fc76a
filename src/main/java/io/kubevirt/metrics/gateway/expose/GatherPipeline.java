package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.discovery.ShardMembership;
import io.kubevirt.metrics.gateway.merge.IndexSpares;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.merge.Merger;
import io.kubevirt.metrics.gateway.merge.SampleLimits;
import io.kubevirt.metrics.gateway.merge.SeriesLabeling;
import io.kubevirt.metrics.gateway.merge.TargetExposition;
import io.kubevirt.metrics.gateway.merge.TargetExpositionReader;
import io.kubevirt.metrics.gateway.merge.TargetLabels;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.LimitExceededException;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import io.kubevirt.metrics.gateway.relabel.TargetRelabeler;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The steps of a gather that do no I/O: targets from discovered targets, an outcome from a
 * scrape result, the merged exposition from the outcomes. {@link Gatherer} runs them around the
 * scrapes; tests run them on bodies they hold. Thread safe (the series history is).
 */
public final class GatherPipeline {
    private static final Logger LOG = Logger.getLogger(GatherPipeline.class);
    private final int sampleLimit;
    private final SampleLimits limits;
    private final SeriesHistory history = new SeriesHistory();
    /** Each target's labels as the reader wants them: made once, not in every gather. */
    private final Map<ScrapeTarget, TargetLabels> targetLabels = new ConcurrentHashMap<>();
    private final IndexSpares indexSpares;

    /**
     * @param sampleLimit most samples per target, 0 for no limit
     * @param limits what each series of a target must keep
     */
    public GatherPipeline(int sampleLimit, SampleLimits limits) {
        this(sampleLimit, limits, new IndexSpares());
    }

    /** A pipeline whose targets' index arrays, once their answers are done, are kept in {@code indexSpares}. */
    GatherPipeline(int sampleLimit, SampleLimits limits, IndexSpares indexSpares) {
        this.sampleLimit = sampleLimit;
        this.limits = limits;
        this.indexSpares = indexSpares;
    }

    /**
     * A target's scrape result, its labels and, when it succeeded, its exposition; and what its
     * report series say: the samples in the body and those left after metric relabeling (as in
     * Prometheus, they count a body that failed over the sample limit too, and the part read of
     * one that failed part-way), and the series new since the target's last scrape.
     */
    public record Outcome(ScrapeResult result, TargetLabels labels, TargetExposition exposition, int scraped,
            int kept, int seriesAdded) {

        static Outcome failed(ScrapeResult result, TargetLabels labels) {
            return new Outcome(result, labels, null, 0, 0, 0);
        }
    }

    /**
     * The targets of a gather, as Prometheus' target manager sees them.
     *
     * @param active the scrape targets: relabeled, without duplicates, in a stable order
     * @param discovered for each active target, the labels of the first discovered target that gave it
     * @param dropped the discovered targets that relabeling dropped
     */
    public record Targets(List<ScrapeTarget> active, Map<ScrapeTarget, DiscoveredTarget> discovered,
            List<DiscoveredTarget> dropped) {

        /**
         * This replica's share: the targets it does not own count as dropped, as a hashmod keep
         * rule would drop them.
         */
        public Targets ownedBy(ShardMembership.Owner owner) {
            List<ScrapeTarget> owned = new ArrayList<>(active.size());
            List<DiscoveredTarget> notOwned = new ArrayList<>(dropped);
            for (ScrapeTarget target : active) {
                if (owner.owns(target.url())) {
                    owned.add(target);
                } else {
                    notOwned.add(discovered.get(target));
                }
            }
            return new Targets(owned, discovered, notOwned);
        }
    }

    /** Relabels the discovered targets. */
    public static Targets targets(List<DiscoveredTarget> discovered, RelabelRules rules) {
        Map<ScrapeTarget, DiscoveredTarget> origins = new LinkedHashMap<>();
        List<DiscoveredTarget> dropped = new ArrayList<>();
        for (DiscoveredTarget target : discovered) {
            ScrapeTarget scrapeTarget = TargetRelabeler.relabel(target, rules);
            if (scrapeTarget == null) {
                dropped.add(target);
            } else {
                origins.putIfAbsent(scrapeTarget, target);
            }
        }
        List<ScrapeTarget> sorted = new ArrayList<>(origins.keySet());
        sorted.sort(Comparator.comparing(ScrapeTarget::url).thenComparing(t -> t.labels().toString()));
        return new Targets(sorted, origins, dropped);
    }

    /**
     * Reads a scrape result: parse, label, metric-relabel; a bad body or too many samples fail the
     * target. So does an unexpected exception (a bug of the reader, not of the body): it fails
     * this target alone, and gives its memory back, instead of failing the whole answer.
     */
    public Outcome read(ScrapeResult result, RelabelConfig config) {
        ScrapeTarget target = result.target();
        TargetLabels labels = targetLabels.computeIfAbsent(target, t -> TargetLabels.of(t.labels()));
        if (!result.ok()) {
            return Outcome.failed(result, labels);
        }
        try {
            TargetExposition exposition = TargetExpositionReader.read(result.body(), result.length(),
                    ExpositionFormat.ofContentType(result.contentType()),
                    new SeriesLabeling(labels, config.honorLabels(), config.metricRules(), limits),
                    history.lastCount(target), indexSpares.take(target));
            if (sampleLimit > 0 && exposition.sampleCount() > sampleLimit) {
                return new Outcome(result.failedWith(ScrapeResult.Failure.SAMPLE_LIMIT, exposition.sampleCount()
                        + " samples, more than gateway.scrape.sample-limit=" + sampleLimit), labels, null,
                        exposition.scrapedCount(), exposition.sampleCount(), 0);
            }
            return new Outcome(result, labels, exposition, exposition.scrapedCount(), exposition.sampleCount(),
                    history.added(target, exposition));
        } catch (ParseException e) {
            ScrapeResult.Failure failure = e instanceof LimitExceededException limit
                    ? ScrapeResult.Failure.of(limit.reason()) : ScrapeResult.Failure.PARSE;
            return new Outcome(result.failedWith(failure, e.getMessage()), labels, null, e.samplesRead(),
                    e.samplesKept(), 0);
        } catch (RuntimeException e) {
            LOG.errorf(e, "The gateway failed reading the body of %s and reports the target down: a bug, "
                    + "please report it with this trace", target.url());
            return Outcome.failed(result.failedWith(ScrapeResult.Failure.INTERNAL, "the gateway failed reading the body: "
                    + e), labels);
        }
    }

    /**
     * The merge of the outcomes (see {@link #merge}), with the gateway's own metrics read just
     * before it, as an answer that holds their bodies and index arrays until it is done. Should
     * merging fail (a bug: besides the bodies, read already, it reads only what the gateway writes
     * itself), they are given back at once: kept, the bodies' share of the memory budget would
     * fail the targets of every later gather with memory_budget.
     */
    SharedAnswer answer(List<Outcome> outcomes, RelabelConfig config, Supplier<byte[]> ownMetrics)
            throws ParseException {
        try {
            return new SharedAnswer(merge(outcomes, config, ownMetrics.get()), () -> giveBack(outcomes));
        } catch (ParseException | RuntimeException | Error e) {
            giveBack(outcomes);
            throw e;
        }
    }

    /** The outcomes' bodies to the memory budget, their index arrays to their targets' next reads. */
    private void giveBack(List<Outcome> outcomes) {
        for (Outcome outcome : outcomes) {
            outcome.result().releaseMemory();
            if (outcome.exposition() != null) {
                indexSpares.recycle(outcome.result().target(), outcome.exposition());
            }
        }
    }

    /**
     * Merges the outcomes: first every target's report series, then every target's series, then
     * {@code ownMetrics} (text format 0.0.4; may be empty).
     */
    public MergedExposition merge(List<Outcome> outcomes, RelabelConfig config, byte[] ownMetrics)
            throws ParseException {
        List<Merger.Source> sources = new ArrayList<>(2 * outcomes.size() + 1);
        Set<ScrapeTarget> targets = new HashSet<>(2 * outcomes.size());
        for (Outcome outcome : outcomes) {
            ScrapeResult result = outcome.result();
            targets.add(result.target());
            byte[] report = ReportSeries.render(result, outcome.scraped(), outcome.kept(), outcome.seriesAdded());
            // Report series get the target labels, but not the metric relabel rules (as in Prometheus).
            sources.add(new Merger.Source(result.target().url() + " (report)", TargetExpositionReader.read(report,
                    report.length, ExpositionFormat.TEXT, new SeriesLabeling(outcome.labels(), config.honorLabels(),
                            RelabelRules.NONE))));
        }
        for (Outcome outcome : outcomes) {
            if (outcome.exposition() != null) {
                sources.add(new Merger.Source(outcome.result().target().url(), outcome.exposition()));
            }
        }
        history.retain(targets);
        targetLabels.keySet().retainAll(targets);
        indexSpares.retain(targets);
        sources.add(new Merger.Source("kubevirt-metrics-gateway", TargetExpositionReader.read(ownMetrics,
                ownMetrics.length, ExpositionFormat.TEXT, SeriesLabeling.NONE)));
        return Merger.merge(sources);
    }
}
