package io.kubevirt.metrics.gateway.discovery;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.config.WatchedFile;
import io.kubevirt.metrics.gateway.config.YamlTree;
import io.kubevirt.metrics.gateway.parse.Names;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Targets from a Prometheus file_sd file: a JSON or YAML list of {@code {targets: [host:port],
 * labels: {...}}} groups, re-read when it changes ({@link WatchedFile}); a file that cannot be read
 * or parsed puts the source out of sync (logged, see {@link SyncState}) and the last good targets
 * are kept, as Prometheus does.
 */
@ApplicationScoped
public class FileSdSource implements TargetSource {
    private static final Logger LOG = Logger.getLogger(FileSdSource.class);

    private final GatewayConfig.Discovery config;
    private final Vertx vertx;
    private volatile List<DiscoveredTarget> targets = List.of();
    private final SyncState sync = new SyncState("file");
    private volatile boolean ready;
    private String lastVersion;

    public FileSdSource(GatewayConfig config, Vertx vertx) {
        this.config = config.discovery();
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled()) {
            return;
        }
        refresh();
        WatchedFile.poll(vertx, config.fileRefreshInterval(), this::refresh);
    }

    /** Re-reads the file if it changed since the last read. */
    synchronized void refresh() {
        Path file = config.file().orElseThrow();
        try {
            String version = WatchedFile.version(file);
            if (!version.equals(lastVersion)) {
                targets = parse(Files.readAllBytes(file), file.toString());
                lastVersion = version;
                ready = true;
                LOG.infof("read %d targets from %s", targets.size(), file);
            }
            sync.synced();
        } catch (NoSuchFileException e) {
            sync.failed(file + " does not exist (yet)");
        } catch (IOException | IllegalArgumentException e) {
            sync.failed(file + ": " + e.getMessage());
        }
    }

    /**
     * Parses file_sd content.
     *
     * @throws IllegalArgumentException naming the group and field that are wrong
     */
    static List<DiscoveredTarget> parse(byte[] content, String path) {
        Object root = YamlTree.read(new String(content, StandardCharsets.UTF_8));
        if (root == null) {
            return List.of();
        }
        if (!(root instanceof List<?> groups)) {
            throw new IllegalArgumentException("expected a list of target groups");
        }
        List<DiscoveredTarget> result = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            String where = "group " + i;
            if (!(groups.get(i) instanceof Map<?, ?> group)) {
                throw new IllegalArgumentException(where + ": expected a mapping with targets and labels");
            }
            Map<String, String> labels = new HashMap<>();
            if (group.get("labels") instanceof Map<?, ?> groupLabels) {
                for (Map.Entry<?, ?> label : groupLabels.entrySet()) {
                    String name = (String) label.getKey();
                    if (!Names.isLabelName(name)) {
                        throw new IllegalArgumentException(where + ": \"" + name + "\" is not a valid label name");
                    }
                    if (label.getValue() != null && !(label.getValue() instanceof String)) {
                        throw new IllegalArgumentException(where + ": label " + name + " must have a string value");
                    }
                    labels.put(name, label.getValue() == null ? "" : (String) label.getValue());
                }
            } else if (group.get("labels") != null) {
                throw new IllegalArgumentException(where + ": labels must be a mapping");
            }
            if (!(group.get("targets") instanceof List<?> targets)) {
                throw new IllegalArgumentException(where + ": expected a list of targets");
            }
            for (Object target : targets) {
                if (!(target instanceof String address) || address.isBlank()) {
                    throw new IllegalArgumentException(where + ": a target must be a host:port string, found "
                            + target);
                }
                Map<String, String> targetLabels = new HashMap<>(labels);
                targetLabels.put("__address__", address);
                targetLabels.put("__meta_filepath", path);
                result.add(new DiscoveredTarget(targetLabels));
            }
        }
        return result;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public boolean enabled() {
        return config.file().isPresent();
    }

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public SyncState sync() {
        return sync;
    }

    @Override
    public List<DiscoveredTarget> targets() {
        return targets;
    }
}
