package io.kubevirt.metrics.gateway.relabel;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.config.WatchedFile;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The relabel configuration in force: the built-in default, or {@code gateway.relabel.file}. The
 * file is read at start (an invalid file stops the gateway) and re-read when it changes (an
 * invalid file then keeps the last good rules, logs why and sets
 * {@code kubevirt_metrics_gateway_config_reload_success} to 0).
 */
@Startup // Created at start, so that a bad file or certificate stops the gateway there.
@ApplicationScoped
public class RelabelConfigStore {
    private static final Logger LOG = Logger.getLogger(RelabelConfigStore.class);

    private final GatewayConfig.Relabel config;
    private final Vertx vertx;
    private final AtomicInteger lastReloadSucceeded = new AtomicInteger(1);
    private volatile RelabelConfig current;
    private String version;

    public RelabelConfigStore(GatewayConfig config, Vertx vertx, MeterRegistry registry) {
        this.config = config.relabel();
        this.vertx = vertx;
        Gauge.builder("kubevirt.metrics.gateway.config.reload.success", lastReloadSucceeded, AtomicInteger::get)
                .description("Whether the last reload of gateway.relabel.file succeeded (1) or failed (0).")
                .register(registry);
        if (this.config.file().isEmpty()) {
            current = RelabelConfig.builtIn();
        } else {
            Path file = this.config.file().get();
            try {
                current = read(file);
                version = WatchedFile.version(file);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.relabel.file: " + e.getMessage(), e);
            }
        }
    }

    void watch(@Observes StartupEvent event) {
        config.file().ifPresent(file -> WatchedFile.poll(vertx, config.refreshInterval(),
                () -> reloadIfChanged(file)));
    }

    /** The configuration in force. */
    public RelabelConfig current() {
        return current;
    }

    synchronized void reloadIfChanged(Path file) {
        try {
            String now = WatchedFile.version(file);
            if (now.equals(version)) {
                return;
            }
            version = now;
            current = read(file);
            lastReloadSucceeded.set(1);
            LOG.infof("reloaded relabel rules from %s", file);
        } catch (IOException | IllegalArgumentException e) {
            lastReloadSucceeded.set(0);
            LOG.errorf("gateway.relabel.file: %s; keeping the previous rules", e.getMessage());
        }
    }

    private static RelabelConfig read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return RelabelConfig.parse(in, file.toString());
        }
    }
}
