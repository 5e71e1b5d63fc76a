package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.auth.Caller;
import io.kubevirt.metrics.gateway.auth.DataEndpoint;
import io.kubevirt.metrics.gateway.auth.DataEndpointGate;
import io.kubevirt.metrics.gateway.auth.GateException;
import io.kubevirt.metrics.gateway.auth.KubernetesGate;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.scrape.ScrapeTimeout;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import org.jboss.logging.Logger;

/**
 * {@code GET /metrics}: every target's metrics, the per-target report series and the gateway's
 * own metrics, merged into one exposition: OpenMetrics when the client prefers it (Prometheus
 * does), with the targets' exemplars and units, otherwise text format 0.0.4. The answer is
 * streamed in chunks as it is written, gzip-compressed in parallel when the client accepts it
 * (see {@link AnswerStream}). A tenant (see {@link DataEndpointGate}) gets only the series of the
 * namespaces it may read.
 *
 * <p>Each answer has a deadline: its scrape timeout (the request's
 * {@code X-Prometheus-Scrape-Timeout-Seconds}, or {@code gateway.scrape.timeout}) and
 * {@link #DEADLINE_MARGIN}. A reader still reading then is cut off (see {@link OpenAnswers}), so
 * that no reader holds the bodies that other gathers need for longer than that.
 */
@Path("/metrics")
@DataEndpoint
public class MetricsResource {
    private static final Logger LOG = Logger.getLogger(MetricsResource.class);
    /**
     * How long after its scrape timeout a reader may still be reading its answer: Prometheus has
     * given up on the answer by then, and a slower reader is cut off.
     */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    private final Gatherer gatherer;
    private final KubernetesGate gate;
    private final Compression compression;
    private final GatewayConfig.Scrape config;
    private final OpenAnswers openAnswers;

    /**
     * Where answers are written, a chunk at a time. A pool of its own: Quarkus' worker pool keeps
     * each thread's last task, and a writer's task holds the merge and with it every body, which
     * must not outlive the answer; the JDK's pool lets go of a task once it has run.
     */
    private final ExecutorService writers;

    public MetricsResource(Gatherer gatherer, KubernetesGate gate, Compression compression, GatewayConfig config,
            OpenAnswers openAnswers) {
        this.gatherer = gatherer;
        this.openAnswers = openAnswers;
        this.gate = gate;
        this.compression = compression;
        this.config = config.scrape();
        this.writers = DaemonPool.of("answer", 2 * Runtime.getRuntime().availableProcessors());
    }

    @GET
    public Uni<Response> metrics(@HeaderParam("X-Prometheus-Scrape-Timeout-Seconds") String scrapeTimeout,
            @HeaderParam("Accept") String accept, @HeaderParam("Accept-Encoding") String acceptEncoding,
            RoutingContext request) {
        Caller caller = request.get(DataEndpointGate.CALLER);
        Context connection = Vertx.currentContext(); // The request's event loop.
        ExpositionFormat format = ExpositionFormat.preferredBy(accept);
        int gzipLevel = compression.levelFor(acceptEncoding);
        ResponseHold hold = new ResponseHold(() -> connection.runOnContext(v -> request.response().reset()));
        Duration deadline = ScrapeTimeout.asked(scrapeTimeout, config).plus(DEADLINE_MARGIN);
        long timer = request.vertx().setTimer(deadline.toMillis(), id -> openAnswers.cutOffLate(hold, deadline));
        request.addEndHandler(done -> {
            request.vertx().cancelTimer(timer);
            hold.end();
        });
        Uni<MergedExposition> merged = Uni.createFrom().completionStage(() -> gatherer.gather(
                ScrapeTimeout.of(scrapeTimeout, config))).map(hold::take);
        return caller == null || caller.full()
                ? merged.map(m -> ok(hold.guard(m.writer(format)::fill), format, gzipLevel, connection))
                // A tenant: only the series of the namespaces it may read, asked of the API server.
                : merged.emitOn(writers).map(m -> tenantView(caller, m, hold, format, gzipLevel, connection));
    }

    /**
     * Keeps the answer (and its bodies' share of the memory budget) until the response is done:
     * written, failed, cut off by the client or by {@link OpenAnswers}, whichever comes first, even
     * before the answer came.
     */
    private final class ResponseHold {
        private final Runnable closeConnection;
        private SharedAnswer.Use use;
        private boolean ended;

        ResponseHold(Runnable closeConnection) {
            this.closeConnection = closeConnection;
        }

        synchronized MergedExposition take(SharedAnswer.Use answer) {
            if (ended) {
                answer.close();
            } else {
                use = answer;
                openAnswers.opened(this, () -> {
                    closeConnection.run();
                    end();
                });
            }
            return answer.merged();
        }

        /**
         * The answer's writing, a chunk at a time under this hold: once the hold has ended, no
         * chunk is written, and one being written is done before the bodies are given back.
         */
        AnswerStream.Source guard(AnswerStream.Source source) {
            return (out, limit) -> {
                synchronized (this) {
                    return !ended && source.fill(out, limit);
                }
            };
        }

        /** The namespaces of the merge's series, read under this hold as the writing is (none once it ended). */
        synchronized Set<String> namespaces(MergedExposition merged) {
            return ended ? Set.of() : merged.namespaces();
        }

        synchronized void end() {
            if (!ended) {
                ended = true;
                openAnswers.closed(this);
                if (use != null) {
                    use.close();
                }
            }
        }
    }

    void stop(@Observes ShutdownEvent event) {
        writers.shutdown();
    }

    /** The answer, streamed in chunks (see {@link StreamedAnswer}). */
    private Response ok(AnswerStream.Source source, ExpositionFormat format, int gzipLevel, Context connection) {
        StreamedAnswer answer = new StreamedAnswer(new AnswerStream(source, gzipLevel, compression.compressors()),
                writers, connection);
        Response.ResponseBuilder response = Response.ok(answer).header("Content-Type", format.contentType());
        return (gzipLevel > 0 ? response.header("Content-Encoding", "gzip") : response).build();
    }

    private Response tenantView(Caller caller, MergedExposition merged, ResponseHold hold, ExpositionFormat format,
            int gzipLevel, Context connection) {
        try {
            Set<String> readable = gate.readableNamespaces(caller, hold.namespaces(merged));
            if (readable.isEmpty()) {
                LOG.debugf("%s may read no namespace of the answer", caller.user());
                return Response.status(403).build();
            }
            return ok(hold.guard(merged.writer(format, new NamespaceFilter(readable))::fill), format, gzipLevel,
                    connection);
        } catch (GateException e) {
            LOG.debugf(e, "%s: %d %s", caller.user(), e.status(), e.getMessage());
            return Response.status(e.status()).build();
        }
    }
}
