package io.kubevirt.metrics.gateway.testing;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs before the gateway (also before a packaged one, in integration tests): two stub HTTPS pods
 * on 127.0.0.1, a good virt-api and a broken one, a file_sd file listing them, and a certificate
 * for the gateway and the stubs. The gateway is configured for file discovery only.
 */
public class FileTargetsResource implements QuarkusTestResourceLifecycleManager {
    public static final String GOOD_POD = "virt-api-good";
    public static final String BROKEN_POD = "virt-api-broken";

    private Vertx vertx;
    private final List<HttpServer> servers = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        SelfSignedCertificate certificate = SelfSignedCertificate.generate();
        vertx = Vertx.vertx();
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.certFile().toString())
                        .setKeyPath(certificate.keyFile().toString()));
        String good = serve(options, Samples.text("legacy-names/virt-api.prom"));
        String broken = serve(options, "rest_client_requests_total{code=\"200\" 5\n");
        try {
            Path file = Files.createTempFile("targets", ".yaml");
            file.toFile().deleteOnExit();
            Files.writeString(file, group(good, GOOD_POD) + group(broken, BROKEN_POD), StandardCharsets.UTF_8);
            return Map.of(
                    "gateway.discovery.kubernetes.enabled", "false",
                    "gateway.discovery.file", file.toString(),
                    "gateway.tls.self-signed", "false",
                    "gateway.tls.cert-file", certificate.certFile().toString(),
                    "gateway.tls.key-file", certificate.keyFile().toString(),
                    "gateway.scrape.tls.ca-file", certificate.certFile().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String group(String address, String pod) {
        return """
                - targets: ["%s"]
                  labels: {namespace: kubevirt, pod: %s, kubevirt_io: virt-api, job: kubevirt-prometheus-metrics}
                """.formatted(address, pod);
    }

    private String serve(HttpServerOptions options, String body) {
        HttpServer server = vertx.createHttpServer(options).requestHandler(request -> request.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4").end(body));
        servers.add(server.listen().toCompletionStage().toCompletableFuture().join());
        return "127.0.0.1:" + server.actualPort();
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
