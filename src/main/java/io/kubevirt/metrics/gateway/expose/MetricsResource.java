package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.auth.Caller;
import io.kubevirt.metrics.gateway.auth.DataEndpoint;
import io.kubevirt.metrics.gateway.auth.DataEndpointGate;
import io.kubevirt.metrics.gateway.auth.GateException;
import io.kubevirt.metrics.gateway.auth.KubernetesGate;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.merge.ByteSink;
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
 */
@Path("/metrics")
@DataEndpoint
public class MetricsResource {
    private static final Logger LOG = Logger.getLogger(MetricsResource.class);

    private final Gatherer gatherer;
    private final KubernetesGate gate;
    private final Compression compression;
    private final GatewayConfig.Scrape config;

    /**
     * Where answers are written, a chunk at a time. A pool of its own: Quarkus' worker pool keeps
     * each thread's last task, and a writer's task holds the merge and with it every body, which
     * must not outlive the answer; the JDK's pool lets go of a task once it has run.
     */
    private final ExecutorService writers;

    public MetricsResource(Gatherer gatherer, KubernetesGate gate, Compression compression, GatewayConfig config) {
        this.gatherer = gatherer;
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
        ResponseHold hold = new ResponseHold();
        request.addEndHandler(done -> hold.end());
        Uni<MergedExposition> merged = Uni.createFrom().completionStage(() -> gatherer.gather(
                ScrapeTimeout.of(scrapeTimeout, config))).map(hold::take);
        return caller == null || caller.full()
                ? merged.map(m -> ok(m.writer(format)::fill, format, gzipLevel, connection))
                // A tenant: only the series of the namespaces it may read, asked of the API server.
                : merged.emitOn(writers).map(m -> tenantView(caller, m, format, gzipLevel, connection));
    }

    /**
     * Keeps the answer (and its bodies' share of the memory budget) until the response is done:
     * written, failed or cut off by the client, whichever comes first, even before the answer came.
     */
    private static final class ResponseHold {
        private SharedAnswer.Use use;
        private boolean ended;

        synchronized MergedExposition take(SharedAnswer.Use answer) {
            if (ended) {
                answer.close();
            } else {
                use = answer;
            }
            return answer.merged();
        }

        synchronized void end() {
            ended = true;
            if (use != null) {
                use.close();
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

    private Response tenantView(Caller caller, MergedExposition merged, ExpositionFormat format, int gzipLevel,
            Context connection) {
        ByteSink whole = new ByteSink(64 * 1024);
        merged.write(format, whole);
        try {
            Set<String> readable = gate.readableNamespaces(caller, NamespaceFilter.namespaces(whole.array(),
                    whole.size()));
            if (readable.isEmpty()) {
                LOG.debugf("%s may read no namespace of the answer", caller.user());
                return Response.status(403).build();
            }
            return ok(AnswerStream.of(NamespaceFilter.keep(whole.array(), whole.size(), readable)), format,
                    gzipLevel, connection);
        } catch (GateException e) {
            LOG.debugf(e, "%s: %d %s", caller.user(), e.status(), e.getMessage());
            return Response.status(e.status()).build();
        }
    }
}
