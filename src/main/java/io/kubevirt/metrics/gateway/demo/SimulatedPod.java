package io.kubevirt.metrics.gateway.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated KubeVirt pod: a realistic /metrics body (KubeVirt's sample exposition of its
 * component) whose {@code rest_client_requests_total} counters grow as time passes, errors
 * included, so rates and the seed's queries have something to show.
 */
final class SimulatedPod {
    private static final Pattern REST_REQUESTS = Pattern.compile(
            "^(rest_client_requests_total\\{.*code=\"([^\"]*)\".*\\}) ([0-9.e+]+)$");
    /** Requests per second by status code; everything else grows at the default rate. */
    private static final Map<String, Double> RATES = Map.of("200", 4.0, "201", 0.5, "404", 0.2, "409", 0.1,
            "500", 0.05, "<error>", 0.02);
    private static final double DEFAULT_RATE = 0.01;

    final String name;
    final String component;
    final String node;
    private final List<String> lines;
    private final long startNanos = System.nanoTime();

    SimulatedPod(String name, String component, String node) {
        this.name = name;
        this.component = component;
        this.node = node;
        String sample = load("/demo/" + component + ".prom").replace("node=\"worker-1\"", "node=\"" + node + "\"");
        this.lines = List.of(sample.split("\n"));
    }

    /** The body as of now. */
    String body() {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        StringBuilder out = new StringBuilder(lines.size() * 120);
        for (String line : lines) {
            Matcher m = REST_REQUESTS.matcher(line);
            if (m.matches()) {
                double value = Double.parseDouble(m.group(3)) + Math.floor(RATES.getOrDefault(m.group(2),
                        DEFAULT_RATE) * elapsed);
                out.append(m.group(1)).append(' ').append(String.format(Locale.ROOT, "%.0f", value));
            } else {
                out.append(line);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The pods of a small cluster: one virt-api, one virt-controller, a virt-handler on each of two nodes. */
    static List<SimulatedPod> cluster() {
        List<SimulatedPod> pods = new ArrayList<>();
        pods.add(new SimulatedPod("virt-api-7f9b8c6d5-x2x8k", "virt-api", "control-plane-1"));
        pods.add(new SimulatedPod("virt-controller-5c8d7b9f6-9wq4z", "virt-controller", "control-plane-1"));
        pods.add(new SimulatedPod("virt-handler-4kzvd", "virt-handler", "worker-1"));
        pods.add(new SimulatedPod("virt-handler-m7tqs", "virt-handler", "worker-2"));
        return pods;
    }

    private static String load(String resource) {
        try (InputStream in = SimulatedPod.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing demo resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
