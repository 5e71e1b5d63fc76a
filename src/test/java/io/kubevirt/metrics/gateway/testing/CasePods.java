package io.kubevirt.metrics.gateway.testing;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.List;

/**
 * Many pods in one HTTPS server on 127.0.0.1: {@code /case-N} answers body N with one Content-Type,
 * so that every body of a test is a target of its own, scraped by the gateway and by Prometheus.
 */
public final class CasePods implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final int port;
    private final int count;

    public CasePods(List<byte[]> bodies, String contentType, SelfSignedCertificate tls) {
        this.count = bodies.size();
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString())
                        .setKeyPath(tls.keyFile().toString()));
        this.port = vertx.createHttpServer(options).requestHandler(request -> {
            int i = Integer.parseInt(request.path().substring("/case-".length()));
            request.response().putHeader("Content-Type", contentType).end(Buffer.buffer(bodies.get(i)));
        }).listen().toCompletionStage().toCompletableFuture().join().actualPort();
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Body N's number, from its pod label {@code case-N}. */
    public static int number(String pod) {
        return Integer.parseInt(pod.substring("case-".length()));
    }

    /** A file_sd file with one target per body, labelled {@code pod: case-N} (and as a virt-handler in kubevirt). */
    public String fileTargets() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < count; i++) {
            yaml.append("- targets: ['").append(address()).append("']\n  labels: {__metrics_path__: /case-").append(i)
                    .append(", pod: case-").append(i).append(", namespace: kubevirt, kubevirt_io: virt-handler}\n");
        }
        return yaml.toString();
    }

    /** Prometheus static_configs entries (indented for a job) with one target per body, labelled {@code pod: case-N}. */
    public String staticConfigs() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < count; i++) {
            yaml.append("      - targets: ['").append(address()).append("']\n        labels: {__metrics_path__: /case-")
                    .append(i).append(", pod: case-").append(i).append("}\n");
        }
        return yaml.toString();
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
