package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.Gzip;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.ReviewingApiServer;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Memory, in the artifact that ships: large answers are streamed within a heap four times the
 * size of what is fetched (the answer, as big as the bodies, is never whole in memory), and a body that does not fit the memory budget fails its target, not
 * the process.
 */
class MemoryIT {
    private final Vertx vertx = Vertx.vertx();
    private final List<StubTarget> pods = new ArrayList<>();
    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();

    @AfterEach
    void stop() {
        pods.forEach(StubTarget::close);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** A virt-handler-like body of about {@code bytes}: one gauge per VM, as many VMs as it takes. */
    static String body(String node, int bytes) {
        StringBuilder out = new StringBuilder(bytes + 200);
        out.append("# HELP kubevirt_vmi_memory_resident_bytes Resident set size of the process running the domain.\n")
                .append("# TYPE kubevirt_vmi_memory_resident_bytes gauge\n");
        for (int vm = 0; out.length() < bytes; vm++) {
            out.append("kubevirt_vmi_memory_resident_bytes{name=\"vm-").append(vm).append("\",namespace=\"team-")
                    .append(vm % 7).append("\",node=\"").append(node).append("\"} ").append(1_000_000L + vm)
                    .append('\n');
        }
        return out.toString();
    }

    private String targets(List<String> bodies) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < bodies.size(); i++) {
            String body = bodies.get(i);
            StubTarget pod = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
            pods.add(pod);
            yaml.append("- targets: ['").append(pod.address()).append("']\n  labels: {pod: virt-handler-").append(i)
                    .append("}\n");
        }
        return yaml.toString();
    }

    /** How many targets the answer reports with this value of up. */
    private static long up(String answer, int value) {
        return Expositions.lines(answer, "up{").stream().filter(l -> l.endsWith("} " + value)).count();
    }

    @Test
    void servesFortyMegabytesOfTargetsInAHeapOfOneHundredAndSixty() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bodies.add(body("node-" + i, 7 << 20));
        }
        int series = bodies.stream().mapToInt(b -> (int) b.lines().filter(l -> !l.startsWith("#")).count()).sum();
        try (PackagedGateway gateway = PackagedGateway.startWithFileTargets(targets(bodies), tls, Map.of(),
                List.of("-Xmx160m"))) {
            for (int round = 0; round < 3; round++) {
                // Two clients at once, one plain and one with gzip (both share one gather).
                CompletableFuture<HttpResponse<byte[]>> gzip = gateway.sendAsync(gateway.request("/metrics")
                        .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
                HttpResponse<String> plain = gateway.get("/metrics");
                HttpResponse<byte[]> compressed = gzip.join();
                assertEquals(200, compressed.statusCode(), () -> compressed.headers() + new String(compressed.body(), 0,
                        Math.min(500, compressed.body().length), StandardCharsets.UTF_8) + gateway.log());
                assertEquals("gzip", compressed.headers().firstValue("Content-Encoding").orElse(""));
                String decompressed = new String(Gzip.gunzip(compressed.body()), StandardCharsets.UTF_8);
                for (String answer : List.of(plain.body(), decompressed)) {
                    assertEquals(6, up(answer, 1), () -> Expositions.lines(answer, "up{") + "\n" + gateway.log());
                    assertEquals(series, Expositions.lines(answer, "kubevirt_vmi_memory_resident_bytes{").size());
                }
            }
            assertTrue(gateway.process().isAlive());
            assertTrue(!gateway.log().contains("OutOfMemoryError"), gateway.log());
        }
    }

    /**
     * Tenants' answers are streamed like everyone's: two tenants and an admin at once, in the same
     * heap as above, each tenant seeing exactly its namespace's series (and no others' metadata).
     */
    @Test
    void servesTenantsAndAnAdminAtOnceInTheSameHeap() throws Exception {
        KubernetesMockServer apiServer = new KubernetesMockServer(false);
        apiServer.init();
        try {
            ReviewingApiServer.answer(apiServer::expect, Map.of("admin-token", "admin", "team-1-token", "team-1",
                    "team-2-token", "team-2"), (user, spec) -> user.equals("admin")
                            ? spec.path("nonResourceAttributes").path("path").asText().equals("/metrics")
                            : spec.path("resourceAttributes").path("namespace").asText().equals(user));
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                bodies.add(body("node-" + i, 7 << 20));
            }
            try (PackagedGateway gateway = PackagedGateway.startWithFileTargets(targets(bodies), tls, Map.of(
                    "gateway.auth.enabled", "true",
                    "quarkus.kubernetes-client.api-server-url", apiServer.createClient().getMasterUrl().toString()),
                    List.of("-Xmx160m"))) {
                for (int round = 0; round < 2; round++) {
                    Map<String, CompletableFuture<HttpResponse<String>>> answers = new java.util.LinkedHashMap<>();
                    for (String caller : List.of("team-1", "team-2", "admin")) {
                        answers.put(caller, gateway.sendAsync(gateway.request("/metrics")
                                .header("Authorization", "Bearer " + caller + "-token").build(),
                                HttpResponse.BodyHandlers.ofString()));
                    }
                    for (Map.Entry<String, CompletableFuture<HttpResponse<String>>> entry : answers.entrySet()) {
                        HttpResponse<String> response = entry.getValue().join();
                        assertEquals(200, response.statusCode(), gateway::log);
                        String answer = response.body();
                        List<String> series = Expositions.lines(answer, "kubevirt_vmi_memory_resident_bytes{");
                        if (entry.getKey().equals("admin")) {
                            assertEquals(6, up(answer, 1), gateway::log);
                            assertTrue(series.size() > 7 * 6, "every namespace's series");
                        } else {
                            String mine = "namespace=\"" + entry.getKey() + "\"";
                            assertTrue(!series.isEmpty() && series.stream().allMatch(l -> l.contains(mine)), mine);
                            assertTrue(answer.lines().filter(l -> !l.startsWith("#")).allMatch(l -> l.contains(mine)));
                            assertEquals(List.of("# HELP kubevirt_vmi_memory_resident_bytes Resident set size of the"
                                    + " process running the domain.", "# TYPE kubevirt_vmi_memory_resident_bytes gauge"),
                                    Expositions.lines(answer, "#"));
                        }
                    }
                }
                assertTrue(gateway.process().isAlive());
                assertTrue(!gateway.log().contains("OutOfMemoryError"), gateway.log());
            }
        } finally {
            apiServer.destroy();
        }
    }

    @Test
    void aBodyBeyondTheMemoryBudgetFailsItsTargetOnly() throws Exception {
        List<String> bodies = List.of(Samples.text("legacy-names/virt-api.prom"), body("node-big", 3 << 20),
                Samples.text("legacy-names/virt-controller.prom"));
        try (PackagedGateway gateway = PackagedGateway.startWithFileTargets(targets(bodies), tls,
                Map.of("gateway.scrape.memory-budget", "1M"), List.of())) {
            List<Double> used = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                String answer = gateway.get("/metrics").body();
                assertEquals(List.of("virt-handler-1"), Expositions.lines(answer, "up{").stream()
                        .filter(l -> l.endsWith("} 0")).map(l -> l.replaceAll(".*pod=\"([^\"]*)\".*", "$1")).toList());
                assertEquals(2, up(answer, 1), answer);
                assertTrue(answer.contains("rest_client_requests_total{"), "the others' series are served");
                assertTrue(answer.contains("kubevirt_metrics_gateway_memory_budget_bytes 1048576.0\n"), answer);
                String errors = Expositions.lines(answer, "kubevirt_metrics_gateway_scrape_errors_total{").toString();
                assertTrue(errors.contains("reason=\"memory_budget\",target=\"https://" + pods.get(1).address()
                        + "/metrics\"} " + (round + 1) + ".0"), errors);
                used.add(Double.parseDouble(Expositions.lines(answer, "kubevirt_metrics_gateway_memory_budget_used_bytes ")
                        .get(0).split(" ")[1]));
            }
            // What the bodies take is given back after each answer: it does not pile up.
            assertTrue(used.get(3) <= used.get(1) && used.get(3) > 0 && used.get(3) < 1 << 20, used.toString());
            String log = gateway.log();
            assertEquals(1, log.lines().filter(l -> l.contains("no room in the memory budget")).count(), log);
            assertTrue(log.contains("Raise gateway.scrape.memory-budget"), log);
        }
    }
}
