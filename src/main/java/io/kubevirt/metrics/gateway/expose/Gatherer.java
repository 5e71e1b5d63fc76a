package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.merge.SampleLimits;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelConfigStore;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import io.kubevirt.metrics.gateway.scrape.Scraper;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * One trip down the pipeline per /metrics request: the current targets, every target scraped in
 * parallel and read (parsed, labelled, metric-relabeled) as soon as its body is in, then
 * everything merged with the per-target report series and the gateway's own metrics (see
 * {@link GatherPipeline}). Requests that arrive while a gather is running share it instead of
 * scraping the pods again. Reading and merging run on worker threads, never on an event loop.
 */
@ApplicationScoped
public class Gatherer {
    private static final Logger LOG = Logger.getLogger(Gatherer.class);

    private final TargetStates states;
    private final RelabelConfigStore relabelConfig;
    private final Scraper scraper;
    private final Vertx vertx;
    private final PrometheusMeterRegistry registry;
    private final GatewayMetrics metrics;
    private final GatherPipeline pipeline;
    private final AtomicReference<CompletableFuture<Answer>> running = new AtomicReference<>();
    private volatile long runningSince;
    private volatile long runningDeadline;
    /** With a minimum interval, the last answer (held until the next gather: it costs its size). */
    private final long minIntervalNanos;
    private volatile Answer lastAnswer;

    public Gatherer(TargetStates states, RelabelConfigStore relabelConfig, Scraper scraper, Vertx vertx,
            PrometheusMeterRegistry registry, GatewayMetrics metrics, GatewayConfig config) {
        this.states = states;
        this.relabelConfig = relabelConfig;
        this.scraper = scraper;
        this.vertx = vertx;
        this.registry = registry;
        this.metrics = metrics;
        GatewayConfig.Scrape scrape = config.scrape();
        this.minIntervalNanos = scrape.minInterval().toNanos();
        this.pipeline = new GatherPipeline(scrape.sampleLimit(), new SampleLimits(scrape.labelLimit(),
                scrape.labelNameLengthLimit(), scrape.labelValueLengthLimit(), scrape.lineLengthLimit()));
    }

    /**
     * A completed gather: the merge, written in each format once, when first asked for, and shared
     * by every request that asks for it.
     */
    private final class Answer {
        final MergedExposition merged;
        final long completedNanos;
        private final Map<ExpositionFormat, CompletableFuture<Buffer>> written = new ConcurrentHashMap<>();

        Answer(MergedExposition merged) {
            this.merged = merged;
            this.completedNanos = System.nanoTime();
        }

        CompletableFuture<Buffer> in(ExpositionFormat format) {
            return written.computeIfAbsent(format, f -> blocking(() -> write(f)));
        }

        Buffer write(ExpositionFormat format) {
            ByteSink out = new ByteSink(64 * 1024); // The merge reserves what it needs at once.
            merged.write(format, out);
            return Buffer.buffer(Unpooled.wrappedBuffer(out.array(), 0, out.size()));
        }
    }

    /**
     * The merged exposition in {@code format}; joins the gather already running, if any, or with
     * {@code gateway.scrape.min-interval} reuses the last answer while it is younger than that.
     */
    public CompletableFuture<Buffer> gather(Duration timeout, ExpositionFormat format) {
        return answer(timeout, format).thenCompose(answer -> answer.in(format));
    }

    private CompletableFuture<Answer> answer(Duration timeout, ExpositionFormat format) {
        Answer last = lastAnswer;
        if (last != null && System.nanoTime() - last.completedNanos < minIntervalNanos) {
            metrics.recordReused();
            return CompletableFuture.completedFuture(last);
        }
        while (true) {
            CompletableFuture<Answer> current = running.get();
            if (current != null) {
                metrics.recordCoalesced();
                return current;
            }
            CompletableFuture<Answer> mine = new CompletableFuture<>();
            if (running.compareAndSet(null, mine)) {
                runningSince = System.nanoTime();
                runningDeadline = runningSince + timeout.toNanos();
                mine.whenComplete((result, error) -> running.compareAndSet(mine, null));
                start(timeout, format).whenComplete((result, error) -> {
                    if (error != null) {
                        mine.completeExceptionally(error);
                    } else {
                        if (minIntervalNanos > 0) {
                            lastAnswer = result;
                        }
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

    /**
     * How far the gather in progress is past its deadline (the scrape timeout it was started with);
     * zero when none is running or it is within its deadline. Every scrape ends by its deadline, so
     * a gather far past it is wedged.
     */
    public Duration overdue() {
        long late = System.nanoTime() - runningDeadline;
        return running.get() == null || late <= 0 ? Duration.ZERO : Duration.ofNanos(late);
    }

    /** Scrapes, reads and merges; the answer is written in the first requester's format as part of the gather. */
    private CompletableFuture<Answer> start(Duration timeout, ExpositionFormat format) {
        long start = System.nanoTime();
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
            byte[] own = registry.scrape(TextFormat.CONTENT_TYPE_004).getBytes(StandardCharsets.UTF_8);
            Answer answer = new Answer(pipeline.merge(done, config, own));
            answer.written.put(format, CompletableFuture.completedFuture(answer.write(format)));
            metrics.recordMerge(answer.merged.report(), done.size(), System.nanoTime() - start);
            return answer;
        }));
    }

    private <T> CompletableFuture<T> blocking(Callable<T> work) {
        return vertx.executeBlocking(work, false).toCompletionStage().toCompletableFuture();
    }
}
