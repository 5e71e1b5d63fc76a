package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.merge.SampleLimits;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelConfigStore;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.scrape.Scraper;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One trip down the pipeline per /metrics request: the current targets, every target scraped in
 * parallel and read (parsed, labelled, metric-relabeled) as soon as its body is in, then
 * everything merged with the per-target report series and the gateway's own metrics (see
 * {@link GatherPipeline}). The merge points into the bodies; each request writes it out itself,
 * in its own format, as it streams the answer. Requests that arrive while a gather is running
 * share it instead of scraping the pods again. Reading and merging run on worker threads, never
 * on an event loop.
 */
@ApplicationScoped
public class Gatherer {
    private static final Logger LOG = Logger.getLogger(Gatherer.class);

    private final TargetStates states;
    private final RelabelConfigStore relabelConfig;
    private final Scraper scraper;
    /**
     * Reads and merges, one thread per core (the work is CPU-bound), in a pool of its own (see
     * {@link DaemonPool}): a gather's tasks hold its bodies.
     */
    private final ExecutorService workers = DaemonPool.of("gather", Runtime.getRuntime().availableProcessors());
    private final PrometheusMeterRegistry registry;
    private final GatewayMetrics metrics;
    private final GatherPipeline pipeline;
    private final OpenAnswers openAnswers;
    private final AtomicReference<CompletableFuture<SharedAnswer>> running = new AtomicReference<>();
    private volatile long runningSince;
    private volatile long runningDeadline;
    /** With a minimum interval, the last answer (held until the next gather: it costs its size). */
    private final long minIntervalNanos;
    private volatile Cached lastAnswer;

    public Gatherer(TargetStates states, RelabelConfigStore relabelConfig, Scraper scraper,
            PrometheusMeterRegistry registry, GatewayMetrics metrics, GatewayConfig config, OpenAnswers openAnswers) {
        this.states = states;
        this.openAnswers = openAnswers;
        this.relabelConfig = relabelConfig;
        this.scraper = scraper;
        this.registry = registry;
        this.metrics = metrics;
        GatewayConfig.Scrape scrape = config.scrape();
        this.minIntervalNanos = scrape.minInterval().toNanos();
        this.pipeline = new GatherPipeline(scrape.sampleLimit(), new SampleLimits(scrape.labelLimit(),
                scrape.labelNameLengthLimit(), scrape.labelValueLengthLimit(), scrape.lineLengthLimit()));
    }

    /** The min-interval cache's hold on a completed gather's answer, and when it completed. */
    private record Cached(SharedAnswer.Use answer, long completedNanos) {
    }

    /**
     * A hold on the merge of all targets, to be written in any format and closed when done; joins
     * the gather already running, if any, or with {@code gateway.scrape.min-interval} reuses the
     * last answer while it is younger than that.
     */
    CompletableFuture<SharedAnswer.Use> gather(Duration timeout) {
        Cached last = lastAnswer;
        if (last != null && System.nanoTime() - last.completedNanos() < minIntervalNanos) {
            metrics.recordReused();
            return CompletableFuture.completedFuture(last.answer().again());
        }
        while (true) {
            CompletableFuture<SharedAnswer> current = running.get();
            if (current != null) {
                metrics.recordCoalesced();
                return current.thenApply(SharedAnswer::use);
            }
            CompletableFuture<SharedAnswer> mine = new CompletableFuture<>();
            if (running.compareAndSet(null, mine)) {
                runningSince = System.nanoTime();
                runningDeadline = runningSince + timeout.toNanos();
                mine.whenComplete((result, error) -> running.compareAndSet(mine, null));
                CompletableFuture<SharedAnswer.Use> use = mine.thenApply(SharedAnswer::use);
                start(timeout).whenComplete((result, error) -> {
                    if (error != null) {
                        mine.completeExceptionally(error);
                        return;
                    }
                    if (minIntervalNanos > 0) {
                        Cached previous = lastAnswer;
                        lastAnswer = new Cached(result.use(), System.nanoTime());
                        if (previous != null) {
                            previous.answer().close();
                        }
                    }
                    mine.complete(result); // The waiting requests take their holds now,
                    result.release(); // so the gather can let go of its own.
                });
                return use;
            }
        }
    }

    /** How long the gather in progress has been running; zero when none is. */
    public Duration runningFor() {
        return running.get() == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - runningSince);
    }

    /**
     * How far the gather in progress is past its deadline (the scrape timeout it was started with);
     * zero when none is running or it is within its deadline. Every scrape ends by its deadline, so
     * a gather far past it is wedged.
     */
    public Duration overdue() {
        long late = System.nanoTime() - runningDeadline;
        return running.get() == null || late <= 0 ? Duration.ZERO : Duration.ofNanos(late);
    }

    private CompletableFuture<SharedAnswer> start(Duration timeout) {
        long start = System.nanoTime();
        openAnswers.gatherStarted();
        RelabelConfig config = relabelConfig.current();
        List<ScrapeTarget> targets = states.current(config).active();
        Set<String> urls = targets.stream().map(ScrapeTarget::url).collect(Collectors.toSet());
        metrics.retainTargets(urls);
        scraper.retain(urls);
        List<CompletableFuture<GatherPipeline.Outcome>> outcomes = new ArrayList<>(targets.size());
        for (ScrapeTarget target : targets) {
            outcomes.add(scraper.scrape(target, timeout).thenCompose(result -> blocking(() -> {
                GatherPipeline.Outcome outcome = pipeline.read(result, config);
                if (!outcome.result().ok()) {
                    LOG.debugf("scrape of %s failed (%s): %s", target.url(), outcome.result().failure().reason(),
                            outcome.result().message());
                }
                metrics.recordScrape(outcome.result());
                return outcome;
            })));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenCompose(v -> blocking(() -> {
            List<GatherPipeline.Outcome> done = outcomes.stream().map(CompletableFuture::join).toList();
            states.record(done);
            // The gateway's own metrics are read before this merge: its drops and duration show in
            // the next gather, as Prometheus' own metrics lag its scrapes.
            SharedAnswer answer = pipeline.answer(done, config,
                    () -> registry.scrape(TextFormat.CONTENT_TYPE_004).getBytes(StandardCharsets.UTF_8));
            metrics.recordMerge(answer.report(), done.size(), System.nanoTime() - start);
            return answer;
        }));
    }

    private <T> CompletableFuture<T> blocking(Callable<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, workers);
    }

    void stop(@Observes ShutdownEvent event) {
        workers.shutdown();
    }
}
