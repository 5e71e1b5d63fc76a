package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.parse.HeaderElement;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ExecutorService;

/**
 * gzip of the answers ({@code gateway.compression.level}): the level a request gets, from its
 * Accept-Encoding, and the threads that compress chunks, one per core. The gateway compresses
 * /metrics itself, in parallel chunks (see {@link AnswerStream}); the HTTP server's own
 * compression is off (application.properties): it works on one core, and over HTTP/2 it would
 * compress the compressed chunks again. The other endpoints answer small documents uncompressed.
 */
@ApplicationScoped
public class Compression {
    private final int level;
    private final ExecutorService compressors;

    public Compression(GatewayConfig config) {
        String level = config.compression().level();
        this.level = level.equals("off") ? 0 : Integer.parseInt(level); // Checked at start: off or 1 to 9.
        this.compressors = DaemonPool.of("gzip", Runtime.getRuntime().availableProcessors());
    }

    /** The gzip level for a request with this Accept-Encoding: 0 when it gets no compression. */
    int levelFor(String acceptEncoding) {
        return level > 0 && acceptsGzip(acceptEncoding) ? level : 0;
    }

    ExecutorService compressors() {
        return compressors;
    }

    void stop(@Observes ShutdownEvent event) {
        compressors.shutdown();
    }

    /**
     * Whether the header accepts gzip (RFC 9110, 12.5.3): gzip with a quality above zero, or, when
     * gzip is not named, the wildcard {@code *} with a quality above zero.
     */
    static boolean acceptsGzip(String acceptEncoding) {
        Boolean gzip = null;
        boolean any = false;
        for (HeaderElement coding : HeaderElement.list(acceptEncoding)) {
            String quality = coding.parameters().get("q");
            boolean accepted = quality == null || !quality.replace(" ", "").matches("0(\\.0{0,3})?");
            if (coding.value().equals("gzip")) {
                gzip = accepted;
            } else if (coding.value().equals("*")) {
                any = accepted;
            }
        }
        return gzip != null ? gzip : any;
    }
}
