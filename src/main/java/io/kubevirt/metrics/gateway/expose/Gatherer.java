package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.discovery.Discovery;
import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.MergeReport;
import io.kubevirt.metrics.gateway.merge.Merger;
import io.kubevirt.metrics.gateway.merge.SeriesLabeling;
import io.kubevirt.metrics.gateway.merge.TargetExposition;
import io.kubevirt.metrics.gateway.merge.TargetExpositionReader;
import io.kubevirt.metrics.gateway.merge.TargetLabels;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelConfigStore;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import io.kubevirt.metrics.gateway.relabel.TargetRelabeler;
import io.kubevirt.metrics.gateway.scrape.ScrapeResult;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.scrape.Scraper;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.netty.buffer.Unpooled;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One trip down the pipeline per /metrics request: the current targets, target relabeling, every
 * target scraped in parallel and read (parsed, labelled, metric-relabeled) as soon as its body is
 * in, then everything merged with the per-target report series and the gateway's own metrics.
 * Requests that arrive while a gather is running share it instead of scraping the pods again.
 * Parsing and merging run on worker threads, never on an event loop.
 */
@ApplicationScoped
public class Gatherer {
    private static final Logger LOG = Logger.getLogger(Gatherer.class);

    private final Discovery discovery;
    private final RelabelConfigStore relabelConfig;
    private final Scraper scraper;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final GatewayMetrics metrics;
    private final int sampleLimit;
    private final SeriesHistory history = new SeriesHistory();
    private final AtomicReference<CompletableFuture<Buffer>> running = new AtomicReference<>();
    private volatile long runningSince;

    public Gatherer(Discovery discovery, RelabelConfigStore relabelConfig, Scraper scraper, Vertx vertx,
            PrometheusMeterRegistry registry, GatewayMetrics metrics, GatewayConfig config) {
        this.discovery = discovery;
        this.relabelConfig = relabelConfig;
        this.scraper = scraper;
        this.vertx = vertx;
        this.registry = registry;
        this.metrics = metrics;
        this.sampleLimit = config.scrape().sampleLimit();
    }

    /** The merged exposition; joins the gather already running, if any. */
    public CompletableFuture<Buffer> gather(Duration timeout) {
        while (true) {
            CompletableFuture<Buffer> current = running.get();
            if (current != null) {
                metrics.recordCoalesced();
                return current;
            }
            CompletableFuture<Buffer> mine = new CompletableFuture<>();
            if (running.compareAndSet(null, mine)) {
                runningSince = System.nanoTime();
                mine.whenComplete((result, error) -> running.compareAndSet(mine, null));
                start(timeout).whenComplete((result, error) -> {
                    if (error != null) {
                        mine.completeExceptionally(error);
                    } else {
                        mine.complete(result);
                    }
                });
                return mine;
            }
        }
    }

    /** How long the gather in progress has been running; zero when none is. */
    public Duration runningFor() {
        return running.get() == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - runningSince);
    }

    /** The scrape targets now: discovered, relabeled, without duplicates, in a stable order. */
    List<ScrapeTarget> targets(RelabelRules rules) {
        Set<ScrapeTarget> targets = new LinkedHashSet<>();
        for (DiscoveredTarget discovered : discovery.targets()) {
            ScrapeTarget target = TargetRelabeler.relabel(discovered, rules);
            if (target != null) {
                targets.add(target);
            }
        }
        List<ScrapeTarget> sorted = new ArrayList<>(targets);
        sorted.sort(Comparator.comparing(ScrapeTarget::url).thenComparing(t -> t.labels().toString()));
        return sorted;
    }

    private CompletableFuture<Buffer> start(Duration timeout) {
        long start = System.nanoTime();
        RelabelConfig config = relabelConfig.current();
        List<ScrapeTarget> targets = targets(config.targetRules());
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(targets.size());
        for (ScrapeTarget target : targets) {
            outcomes.add(scraper.scrape(target, timeout).thenCompose(result -> blocking(() -> read(result, config))));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenCompose(v -> blocking(() -> merge(outcomes.stream().map(CompletableFuture::join).toList(),
                        config, start)));
    }

    /** A target's result and, when it succeeded, its exposition. */
    private record Outcome(ScrapeResult result, TargetExposition exposition, int seriesAdded) {
    }

    private Outcome read(ScrapeResult result, RelabelConfig config) {
        Outcome outcome = result.ok() ? parse(result, config) : new Outcome(result, null, 0);
        if (!outcome.result().ok()) {
            LOG.debugf("scrape of %s failed (%s): %s", result.target().url(), outcome.result().failure().reason(),
                    outcome.result().message());
        }
        metrics.recordScrape(outcome.result());
        return outcome;
    }

    private Outcome parse(ScrapeResult result, RelabelConfig config) {
        ScrapeTarget target = result.target();
        try {
            TargetExposition exposition = TargetExpositionReader.read(result.body(), result.length(),
                    ExpositionFormat.ofContentType(result.contentType()),
                    new SeriesLabeling(TargetLabels.of(target.labels()), config.honorLabels(), config.metricRules()));
            if (sampleLimit > 0 && exposition.sampleCount() > sampleLimit) {
                return new Outcome(result.failedWith(ScrapeResult.Failure.SAMPLE_LIMIT, exposition.sampleCount()
                        + " samples, more than gateway.scrape.sample-limit=" + sampleLimit), null, 0);
            }
            return new Outcome(result, exposition, history.added(target, exposition));
        } catch (ParseException e) {
            return new Outcome(result.failedWith(ScrapeResult.Failure.PARSE, e.getMessage()), null, 0);
        }
    }

    private Buffer merge(List<Outcome> outcomes, RelabelConfig config, long start) throws ParseException {
        List<Merger.Source> sources = new ArrayList<>(2 * outcomes.size() + 1);
        List<ScrapeTarget> targets = new ArrayList<>(outcomes.size());
        long bytes = 0;
        for (Outcome outcome : outcomes) {
            ScrapeResult result = outcome.result();
            TargetExposition exposition = outcome.exposition();
            targets.add(result.target());
            byte[] report = ReportSeries.render(result, exposition == null ? 0 : exposition.scrapedCount(),
                    exposition == null ? 0 : exposition.sampleCount(), outcome.seriesAdded());
            // Report series get the target labels, but not the metric relabel rules (as in Prometheus).
            sources.add(new Merger.Source(result.target().url() + " (report)", TargetExpositionReader.read(report,
                    report.length, ExpositionFormat.TEXT, new SeriesLabeling(TargetLabels.of(result.target().labels()),
                            config.honorLabels(), RelabelRules.NONE))));
            bytes += result.length();
        }
        for (Outcome outcome : outcomes) {
            if (outcome.exposition() != null) {
                sources.add(new Merger.Source(outcome.result().target().url(), outcome.exposition()));
            }
        }
        history.retain(targets);
        // The gateway's own metrics go last. They are read before this merge, so its drops and
        // duration show in the next gather, as Prometheus' own metrics lag its scrapes.
        byte[] own = registry.scrape(TextFormat.CONTENT_TYPE_004).getBytes(StandardCharsets.UTF_8);
        sources.add(new Merger.Source("kubevirt-metrics-gateway", TargetExpositionReader.read(own, own.length,
                ExpositionFormat.TEXT, SeriesLabeling.NONE)));
        ByteSink out = new ByteSink((int) Math.min(Integer.MAX_VALUE - 64, bytes + bytes / 2 + own.length));
        MergeReport report = Merger.merge(sources, out);
        metrics.recordMerge(report, outcomes.size(), System.nanoTime() - start);
        return Buffer.buffer(Unpooled.wrappedBuffer(out.array(), 0, out.size()));
    }

    private <T> CompletableFuture<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false).toCompletionStage().toCompletableFuture();
    }
}
