package io.kubevirt.metrics.gateway.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The built-in demo ({@code gateway.demo.enabled}): serves the simulated virt-api,
 * virt-controller and two virt-handler pods over HTTPS on loopback ports, and writes the
 * file_sd file through which the gateway discovers them, labelled as KubeVirt's ServiceMonitor
 * labels its pods. No cluster needed.
 */
@ApplicationScoped
public class DemoCluster {
    private static final Logger LOG = Logger.getLogger(DemoCluster.class);
    private static final String NAMESPACE = "kubevirt";
    private static final String SERVICE = "kubevirt-prometheus-metrics";

    private final List<HttpServer> servers = new ArrayList<>();

    void start(@Observes @Priority(10) StartupEvent event, GatewayConfig config, Vertx vertx) throws IOException {
        if (!config.demo().enabled()) {
            return;
        }
        Path file = config.discovery().file().orElseThrow(() -> new IllegalArgumentException(
                "gateway.demo.enabled needs gateway.discovery.file, where the demo writes its targets"));
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                .setCompressionSupported(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tls().certFile())
                        .setKeyPath(config.tls().keyFile()));
        ArrayNode groups = new ObjectMapper().createArrayNode();
        for (SimulatedPod pod : SimulatedPod.cluster()) {
            HttpServer server = vertx.createHttpServer(options).requestHandler(request -> {
                if (request.path().equals("/metrics")) {
                    request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                            .end(pod.body());
                } else {
                    request.response().setStatusCode(404).end();
                }
            });
            server.listen().toCompletionStage().toCompletableFuture().join();
            servers.add(server);
            String address = "127.0.0.1:" + server.actualPort();
            ObjectNode group = groups.addObject();
            group.putArray("targets").add(address);
            ObjectNode labels = group.putObject("labels");
            labels.put("__scheme__", "https");
            labels.put("namespace", NAMESPACE);
            labels.put("pod", pod.name);
            labels.put("container", pod.component);
            labels.put("endpoint", "metrics");
            labels.put("service", SERVICE);
            labels.put("job", SERVICE);
            labels.put("kubevirt_io", pod.component);
            LOG.infof("demo: %s (%s) serves https://%s/metrics", pod.name, pod.component, address);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "targets", ".json");
        Files.write(temporary, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(groups));
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.infof("demo: targets written to %s; try curl -k https://localhost:8443/metrics", file);
    }

    void stop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        servers.forEach(server -> server.close().toCompletionStage().toCompletableFuture()
                .orTimeout(Duration.ofSeconds(5).toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
    }
}
