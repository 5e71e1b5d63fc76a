package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.auth.DataEndpoint;
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
 * only. Rendered on the server from {@link TargetStates} (the API's source too), every text
 * escaped, with no script and no external asset. (Written here rather than with a template
 * engine: Qute's dev-mode companion cannot be fetched where the demo must run, and one page does
 * not need an engine.)
 */
@DataEndpoint
@Path("/targets")
public class TargetsPage {
    private static final String STYLE = """
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
  h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 .4rem; }
  nav a { margin-right: 1rem; }
  nav a.current { font-weight: bold; text-decoration: none; color: #222; }
  table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f4f4f4; }
  .health { display: inline-block; padding: .1rem .45rem; border-radius: .25rem; color: #fff; font-weight: bold; }
  .up { background: #2e7d32; }
  .down { background: #c62828; }
  .unknown { background: #757575; }
  .labels, .error { font-family: ui-monospace, monospace; font-size: .8rem; word-break: break-all; }
  .error { color: #c62828; }
  .none { color: #757575; }
""";
    private static final List<String> HEALTHS = List.of("up", "down", "unknown");

    private final TargetStates states;

    public TargetsPage(TargetStates states) {
        this.states = states;
    }

    /** One target as shown. */
    record Row(String url, String health, String labels, String lastScrape, String duration, int samples,
            String error) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public String page(@QueryParam("health") String health) {
        String shown = health != null && HEALTHS.contains(health) ? health : "";
        Instant now = Instant.now();
        Map<String, List<Row>> byComponent = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>(Map.of("up", 0, "down", 0, "unknown", 0));
        List<TargetStates.Active> active = states.view().active();
        for (TargetStates.Active target : active) {
            Row row = row(target, now);
            counts.merge(row.health(), 1, Integer::sum);
            if (shown.isEmpty() || shown.equals(row.health())) {
                byComponent.computeIfAbsent(target.target().labels().getOrDefault("kubevirt_io", "other"),
                        k -> new ArrayList<>()).add(row);
            }
        }
        StringBuilder html = new StringBuilder(4096).append("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>Targets · KubeVirt Metrics Gateway</title>
                <style>
                """).append(STYLE).append("""
                </style>
                </head>
                <body>
                <h1>Targets</h1>
                <nav>
                """);
        link(html, "", "All (" + active.size() + ")", shown);
        link(html, "up", "Up (" + counts.get("up") + ")", shown);
        link(html, "down", "Down (" + counts.get("down") + ")", shown);
        link(html, "unknown", "Not scraped yet (" + counts.get("unknown") + ")", shown);
        html.append("</nav>\n");
        for (Map.Entry<String, List<Row>> group : byComponent.entrySet()) {
            html.append("<h2>").append(escape(group.getKey())).append(" (").append(group.getValue().size())
                    .append(")</h2>\n<table>\n  <thead><tr><th>Endpoint</th><th>Health</th><th>Labels</th>"
                            + "<th>Last scrape</th><th>Duration</th><th>Samples</th><th>Error</th></tr></thead>\n"
                            + "  <tbody>\n");
            for (Row row : group.getValue()) {
                html.append("  <tr><td>").append(escape(row.url()))
                        .append("</td><td><span class=\"health ").append(row.health()).append("\">")
                        .append(row.health()).append("</span></td><td class=\"labels\">").append(escape(row.labels()))
                        .append("</td><td>").append(escape(row.lastScrape())).append("</td><td>")
                        .append(escape(row.duration())).append("</td><td>").append(row.samples())
                        .append("</td><td class=\"error\">").append(escape(row.error())).append("</td></tr>\n");
            }
            html.append("  </tbody>\n</table>\n");
        }
        if (byComponent.isEmpty()) {
            html.append("<p class=\"none\">No targets").append(shown.isEmpty() ? "" : " with health " + shown)
                    .append(".</p>\n");
        }
        return html.append("</body>\n</html>\n").toString();
    }

    private static void link(StringBuilder html, String health, String text, String shown) {
        html.append("  <a href=\"/targets").append(health.isEmpty() ? "" : "?health=" + health).append('"')
                .append(health.equals(shown) ? " class=\"current\"" : "").append('>').append(text).append("</a>\n");
    }

    /** Text for an HTML element or a quoted attribute. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
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
        return seconds < 60 ? seconds + " s ago"
                : seconds < 3600 ? seconds / 60 + " min ago" : seconds / 3600 + " h ago";
    }
}
