package io.kubevirt.metrics.gateway.relabel;

import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.discovery.LabelNames;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Turns a discovered target into a scrape target as Prometheus' {@code populateLabels} does:
 * defaults for {@code __scheme__} (https here: KubeVirt serves metrics over TLS) and
 * {@code __metrics_path__}, the relabel_configs, a default port from the scheme, {@code instance}
 * from {@code __address__}, {@code __param_*} as query parameters, and every {@code __} label
 * removed from the target's labels.
 */
public final class TargetRelabeler {
    private static final Logger LOG = Logger.getLogger(TargetRelabeler.class);
    private static final String PARAM_PREFIX = "__param_";

    private TargetRelabeler() {
    }

    /** The scrape target, or null when the rules drop it or it has no usable address. */
    public static ScrapeTarget relabel(DiscoveredTarget discovered, RelabelRules rules) {
        Map<String, String> input = new HashMap<>(discovered.labels());
        input.putIfAbsent("__scheme__", "https");
        input.putIfAbsent("__metrics_path__", "/metrics");
        SortedMap<String, String> labels = rules.apply(input);
        if (labels == null) {
            return null;
        }
        String scheme = labels.getOrDefault("__scheme__", "");
        String address = labels.getOrDefault("__address__", "");
        if (address.isEmpty() || address.contains("/") || !(scheme.equals("http") || scheme.equals("https"))) {
            LOG.debugf("dropped target %s: no usable __address__ or __scheme__ after relabeling", labels);
            return null;
        }
        HostPort hostPort = HostPort.parse(address, scheme.equals("https") ? 443 : 80);
        if (hostPort == null) {
            LOG.debugf("dropped target %s: %s is not host:port", labels, address);
            return null;
        }
        address = hostPort.toString();
        StringBuilder uri = new StringBuilder(labels.getOrDefault("__metrics_path__", ""));
        if (uri.length() == 0 || uri.charAt(0) != '/') {
            uri.insert(0, '/');
        }
        char separator = uri.indexOf("?") >= 0 ? '&' : '?';
        Map<String, String> targetLabels = new TreeMap<>();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String name = label.getKey();
            if (name.startsWith(PARAM_PREFIX)) {
                uri.append(separator).append(URLEncoder.encode(name.substring(PARAM_PREFIX.length()),
                        StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(label.getValue(),
                                StandardCharsets.UTF_8));
                separator = '&';
            } else if (!name.startsWith("__")) {
                targetLabels.put(name, label.getValue());
            }
        }
        targetLabels.putIfAbsent("instance", address);
        return new ScrapeTarget(scheme + "://" + address + uri, scheme.equals("https"), hostPort.host(),
                hostPort.port(), uri.toString(), targetLabels);
    }

    /** An address split as Go's net.SplitHostPort does; a missing port is the scheme's default. */
    record HostPort(String host, int port) {
        static HostPort parse(String address, int defaultPort) {
            String host = address;
            String port = null;
            if (address.startsWith("[")) {
                int close = address.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = address.substring(1, close);
                String rest = address.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.startsWith(":")) {
                        return null;
                    }
                    port = rest.substring(1);
                }
            } else {
                int colon = address.lastIndexOf(':');
                if (colon >= 0) {
                    if (address.indexOf(':') != colon) {
                        return null; // IPv6 without brackets.
                    }
                    host = address.substring(0, colon);
                    port = address.substring(colon + 1);
                }
            }
            try {
                int p = port == null ? defaultPort : Integer.parseInt(port);
                return host.isEmpty() || p < 0 || p > 65535 ? null : new HostPort(host, p);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return LabelNames.joinHostPort(host, port);
        }
    }
}
