package io.kubevirt.metrics.gateway.expose;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubevirt.metrics.gateway.auth.DataEndpoint;
import io.kubevirt.metrics.gateway.discovery.DiscoveredTarget;
import io.kubevirt.metrics.gateway.scrape.ScrapeTarget;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/targets} in Prometheus' own shape, so that tools and scripts written for
 * Prometheus' HTTP API work against the gateway: {@code activeTargets} with their discovered and
 * final labels, scrape pool (the target's {@code job}), URL, health and last scrape, and
 * {@code droppedTargets} (dropped by relabeling, or another replica's share). The {@code state}
 * ({@code active}, {@code dropped}, {@code any}) and {@code scrapePool} filters work as
 * Prometheus' do. Built as a JSON tree: no reflection, native-ready.
 */
@Path("/api/v1/targets")
@DataEndpoint
public class TargetsApi {
    /** The scrape pool of a target without a job label. */
    static final String DEFAULT_POOL = "kubevirt-metrics-gateway";
    /** Prometheus' lastScrape of a target never scraped (Go's zero time). */
    static final String NEVER = "0001-01-01T00:00:00Z";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TargetStates states;

    public TargetsApi(TargetStates states) {
        this.states = states;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String targets(@QueryParam("state") String state, @QueryParam("scrapePool") String scrapePool) {
        String wanted = state == null ? "" : state.strip().toLowerCase(Locale.ROOT);
        boolean showActive = wanted.isEmpty() || wanted.equals("any") || wanted.equals("active");
        boolean showDropped = wanted.isEmpty() || wanted.equals("any") || wanted.equals("dropped");
        TargetStates.View view = states.view();
        ObjectNode root = JSON.createObjectNode().put("status", "success");
        ObjectNode data = root.putObject("data");
        ArrayNode active = data.putArray("activeTargets");
        ArrayNode dropped = data.putArray("droppedTargets");
        if (showActive) {
            for (TargetStates.Active target : view.active()) {
                if (scrapePool == null || scrapePool.equals(pool(target.target()))) {
                    active.add(active(target));
                }
            }
        }
        if (showDropped) {
            for (DiscoveredTarget target : view.dropped()) {
                labels(dropped.addObject(), "discoveredLabels", target.labels());
            }
        }
        return root.toString();
    }

    /** The scrape pool Prometheus would put the target in: its job. */
    static String pool(ScrapeTarget target) {
        return target.labels().getOrDefault("job", DEFAULT_POOL);
    }

    private static ObjectNode active(TargetStates.Active target) {
        ObjectNode node = JSON.createObjectNode();
        labels(node, "discoveredLabels", target.discovered().labels());
        labels(node, "labels", target.target().labels());
        TargetStates.LastScrape last = target.last();
        node.put("scrapePool", pool(target.target()))
                .put("scrapeUrl", target.target().url())
                .put("globalUrl", target.target().url())
                .put("lastError", last == null || last.up() ? "" : last.error())
                .put("lastScrape", last == null ? NEVER : last.at().toString())
                .put("lastScrapeDuration", last == null ? 0 : last.durationSeconds())
                .put("health", last == null ? "unknown" : last.up() ? "up" : "down")
                .put("scrapeInterval", "")
                .put("scrapeTimeout", "");
        return node;
    }

    private static void labels(ObjectNode node, String field, Map<String, String> labels) {
        ObjectNode object = node.putObject(field);
        new TreeMap<>(labels).forEach(object::put);
    }
}
