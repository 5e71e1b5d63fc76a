package io.kubevirt.metrics.gateway.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.parse.Names;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Targets from a Prometheus file_sd file: a JSON or YAML list of {@code {targets: [host:port],
 * labels: {...}}} groups. The file is checked for changes periodically (robust against the
 * symlink swaps of mounted ConfigMaps); a file that cannot be read or parsed is reported and the
 * last good targets are kept, as Prometheus does.
 */
@ApplicationScoped
public class FileSdSource implements TargetSource {
    private static final Logger LOG = Logger.getLogger(FileSdSource.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final GatewayConfig.Discovery config;
    private final Vertx vertx;
    private volatile List<DiscoveredTarget> targets = List.of();
    private volatile boolean ready;
    private volatile String lastError;
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
        vertx.setPeriodic(config.fileRefreshInterval().toMillis(),
                id -> vertx.executeBlocking(() -> {
                    refresh();
                    return null;
                }, false));
    }

    /** Re-reads the file if it changed since the last read. */
    synchronized void refresh() {
        Path file = config.file().orElseThrow();
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            String version = attributes.lastModifiedTime() + "/" + attributes.size() + "/" + attributes.fileKey();
            if (version.equals(lastVersion)) {
                return;
            }
            targets = parse(Files.readAllBytes(file), file.toString());
            lastVersion = version;
            lastError = null;
            ready = true;
            LOG.infof("read %d targets from %s", targets.size(), file);
        } catch (NoSuchFileException e) {
            report(file + " does not exist (yet)");
        } catch (IOException | IllegalArgumentException e) {
            report(file + ": " + e.getMessage());
        }
    }

    private void report(String error) {
        if (!error.equals(lastError)) {
            LOG.warnf("file_sd: %s; keeping the %d targets read before", error, targets.size());
            lastError = error;
        }
    }

    /**
     * Parses file_sd content.
     *
     * @throws IllegalArgumentException naming the group and field that are wrong
     */
    static List<DiscoveredTarget> parse(byte[] content, String path) throws IOException {
        JsonNode root = YAML.readTree(content);
        if (root == null || root.isNull() || root.isMissingNode()) {
            return List.of();
        }
        if (!root.isArray()) {
            throw new IllegalArgumentException("expected a list of target groups");
        }
        List<DiscoveredTarget> result = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode group = root.get(i);
            String where = "group " + i;
            if (!group.isObject()) {
                throw new IllegalArgumentException(where + ": expected a mapping with targets and labels");
            }
            Map<String, String> labels = new HashMap<>();
            JsonNode labelNode = group.get("labels");
            if (labelNode != null && !labelNode.isNull()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = labelNode.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> label = it.next();
                    if (!Names.isLabelName(label.getKey())) {
                        throw new IllegalArgumentException(where + ": \"" + label.getKey()
                                + "\" is not a valid label name");
                    }
                    if (!label.getValue().isValueNode()) {
                        throw new IllegalArgumentException(where + ": label " + label.getKey()
                                + " must have a string value");
                    }
                    labels.put(label.getKey(), label.getValue().asText());
                }
            }
            JsonNode targetNode = group.get("targets");
            if (targetNode == null || !targetNode.isArray()) {
                throw new IllegalArgumentException(where + ": expected a list of targets");
            }
            for (JsonNode target : targetNode) {
                if (!target.isTextual() || target.asText().isBlank()) {
                    throw new IllegalArgumentException(where + ": a target must be a host:port string, found "
                            + target);
                }
                Map<String, String> targetLabels = new HashMap<>(labels);
                targetLabels.put("__address__", target.asText());
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
    public List<DiscoveredTarget> targets() {
        return targets;
    }
}
