package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.auth.DataEndpoint;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code GET /targets}: the targets for people, grouped by KubeVirt component, with health, last
 * scrape, duration, samples and the last error; {@code ?health=up|down|unknown} shows one health
 * only. Rendered on the server from {@link TargetStates} (the API's source too), with no script
 * and no external asset.
 */
@Path("/targets")
@DataEndpoint
public class TargetsPage {
    private final TargetStates states;

    public TargetsPage(TargetStates states) {
        this.states = states;
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance targets(List<Group> groups, String health, Map<String, Integer> counts,
                int total);
    }

    /** The targets of one component. */
    public record Group(String component, List<Row> rows) {
    }

    /** One target as shown. */
    public record Row(String url, String health, String labels, String lastScrape, String duration, int samples,
            String error) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("health") String health) {
        Instant now = Instant.now();
        Map<String, List<Row>> byComponent = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>(Map.of("up", 0, "down", 0, "unknown", 0));
        List<TargetStates.Active> active = states.view().active();
        for (TargetStates.Active target : active) {
            Row row = row(target, now);
            counts.merge(row.health(), 1, Integer::sum);
            if (health == null || health.isEmpty() || health.equals(row.health())) {
                byComponent.computeIfAbsent(target.target().labels().getOrDefault("kubevirt_io", "other"),
                        k -> new ArrayList<>()).add(row);
            }
        }
        List<Group> groups = byComponent.entrySet().stream().map(e -> new Group(e.getKey(), e.getValue())).toList();
        return Templates.targets(groups, health == null ? "" : health, counts, active.size());
    }

    private static Row row(TargetStates.Active target, Instant now) {
        TargetStates.LastScrape last = target.last();
        String labels = new TreeMap<>(target.target().labels()).entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue() + "\"").collect(Collectors.joining(", "));
        if (last == null) {
            return new Row(target.target().url(), "unknown", labels, "never", "", 0, "");
        }
        return new Row(target.target().url(), last.up() ? "up" : "down", labels,
                ago(Duration.between(last.at(), now)), String.format(Locale.ROOT, "%.3f s", last.durationSeconds()),
                last.samples(), last.up() ? "" : last.error());
    }

    private static String ago(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        return seconds < 60 ? seconds + " s ago" : seconds < 3600 ? seconds / 60 + " min ago" : seconds / 3600 + " h ago";
    }
}
