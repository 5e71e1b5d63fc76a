package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Pods;
import io.kubevirt.metrics.gateway.testing.Promtool;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway while everything around it changes, as two Prometheus replicas see it: pods
 * come and go, a target dies, a target hangs, the API server goes away and comes back with changes
 * made meanwhile. Two readers scrape every {@link #READ_EVERY} with a {@link #TIMEOUT_SECONDS} s
 * scrape timeout; every answer must be 200, valid (our check and promtool), complete for the
 * targets that are up, and in time. Bounded: about a minute.
 */
class ChurnIT {
    static final Duration READ_EVERY = Duration.ofMillis(500);
    static final int TIMEOUT_SECONDS = 3;
    static final String NS = "kubevirt";
    private static final Pattern UP = Pattern.compile("^up\\{.*pod=\"([^\"]+)\".*} ([01])$", Pattern.MULTILINE);

    /** One reader's answer. */
    record Answer(int status, String body, long millis) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();
    private final List<StubTarget> stubs = new ArrayList<>();
    private KubernetesMockServer kubernetes;

    @AfterEach
    void stop() {
        stubs.forEach(StubTarget::close);
        if (kubernetes != null) {
            kubernetes.destroy();
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private StubTarget stub(String sample) {
        StubTarget stub = new StubTarget(vertx, () -> Samples.text(sample), tls.certFile().toString(),
                tls.keyFile().toString());
        stubs.add(stub);
        return stub;
    }

    private static KubernetesMockServer apiServer(int port, KubernetesCrudDispatcher dispatcher) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        server.init(InetAddress.getByName("127.0.0.1"), port);
        return server;
    }

    /**
     * An API server back from an outage during which its storage was compacted, as etcd's is: a
     * watch that resumes from a resourceVersion of before is answered 410 Gone, so the client
     * lists anew (fabric8 does as client-go does) and sees what changed meanwhile, deletions too.
     * The mock's fresh storage has no history to replay, so without this nothing would tell the
     * client that a pod went away during the outage.
     */
    static final class CompactedApiServer extends KubernetesCrudDispatcher {
        private volatile boolean listed;

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            boolean watch = request.getPath().contains("watch=true");
            if (watch && !listed) {
                // As the API server says it: the watch opens, then an ERROR event carries the 410.
                return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket socket, Response response) {
                        socket.send("{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                                + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,"
                                + "\"message\":\"too old resource version\"}}");
                        socket.close(1000, "");
                    }
                });
            }
            if (!watch && "GET".equals(request.getMethod()) && request.getPath().contains("/pods")) {
                listed = true;
            }
            return super.dispatch(request);
        }
    }

    @Test
    void answersCompleteAndInTimeThroughChurnFaultsAndAnApiOutage() throws Exception {
        StubTarget api = stub("legacy-names/virt-api.prom");
        StubTarget controller = stub("legacy-names/virt-controller.prom");
        StubTarget handler1 = stub("legacy-names/virt-handler.prom");
        StubTarget handler2 = stub("current-names/virt-handler.prom");
        StubTarget churned = stub("legacy-names/virt-handler.prom");
        StubTarget late = stub("current-names/virt-handler.prom");
        kubernetes = apiServer(0, new KubernetesCrudDispatcher());
        int apiPort = kubernetes.getPort();
        List<Pod> base = List.of(Pods.onLoopback(NS, "virt-api-1", "virt-api", api.port()),
                Pods.onLoopback(NS, "virt-controller-1", "virt-controller", controller.port()),
                Pods.onLoopback(NS, "virt-handler-1", "virt-handler", handler1.port()),
                Pods.onLoopback(NS, "virt-handler-2", "virt-handler", handler2.port()));
        try (NamespacedKubernetesClient client = kubernetes.createClient()) {
            base.forEach(p -> client.pods().inNamespace(NS).resource(p).create());
        }
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService readers = Executors.newScheduledThreadPool(2);
        try (PackagedGateway gateway = PackagedGateway.start(Map.of(
                "quarkus.kubernetes-client.api-server-url", "http://127.0.0.1:" + apiPort,
                "gateway.discovery.kubernetes.namespaces", NS,
                "gateway.tls.cert-file", tls.certFile().toString(),
                "gateway.tls.key-file", tls.keyFile().toString(),
                "gateway.scrape.tls.ca-file", tls.certFile().toString()))) {
            gateway.awaitReady(Duration.ofSeconds(60));
            for (int reader = 0; reader < 2; reader++) {
                readers.scheduleWithFixedDelay(() -> answers.add(read(gateway)), reader * 250L,
                        READ_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }

            // Churn: a pod comes and the one before goes, every second.
            try (NamespacedKubernetesClient client = kubernetes.createClient()) {
                for (int i = 0; i < 8; i++) {
                    client.pods().inNamespace(NS).resource(Pods.onLoopback(NS, "virt-handler-churn-" + i,
                            "virt-handler", churned.port()))
                            .create();
                    if (i > 0) {
                        client.pods().inNamespace(NS).withName("virt-handler-churn-" + (i - 1)).delete();
                    }
                    Thread.sleep(1000);
                }
            }
            handler2.close(); // A target dies: connection refused.
            handler1.delay(Duration.ofSeconds(30)); // A target hangs: the gateway must not wait for it.
            Thread.sleep(3000);

            // The API server goes away; the last known targets are still scraped.
            kubernetes.destroy();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertTrue(read(gateway).body()
                    .contains("kubevirt_metrics_gateway_discovery_up{source=\"kubernetes\"} 0.0"),
                    String.join("\n", Expositions.lines(read(gateway).body(),
                            "kubevirt_metrics_gateway_discovery")) + "\n" + gateway.log()));
            Thread.sleep(3000);
            // It comes back; meanwhile the churned pod went and a new one came.
            kubernetes = apiServer(apiPort, new CompactedApiServer());
            try (NamespacedKubernetesClient client = kubernetes.createClient()) {
                base.forEach(p -> client.pods().inNamespace(NS).resource(p).create());
                client.pods().inNamespace(NS).resource(Pods.onLoopback(NS, "virt-handler-new", "virt-handler",
                        late.port())).create();
            }
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                String metrics = read(gateway).body();
                assertTrue(metrics.contains("pod=\"virt-handler-new\"") && !metrics.contains("virt-handler-churn-")
                        && metrics.contains("kubevirt_metrics_gateway_discovery_up{source=\"kubernetes\"} 1.0"),
                        String.join("\n", Expositions.lines(metrics, "up{")) + "\n" + gateway.log());
            });
            // The outage was told: once when it began, once when it ended.
            assertTrue(gateway.log().contains("kubernetes discovery is out of sync, keeping the last known targets"),
                    gateway.log());
            assertTrue(gateway.log().contains("kubernetes discovery is back in sync after"), gateway.log());
            Thread.sleep(1000);
            readers.shutdown();
            assertTrue(readers.awaitTermination(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS));

            String last = read(gateway).body();
            assertEquals("0", up(last).get("virt-handler-2"), "the dead target");
            assertEquals("0", up(last).get("virt-handler-1"), "the hanging target");
            assertTrue(last.contains("reason=\"timeout\""), last);
            assertTrue(last.contains("reason=\"connect\""), last);
            assertEquals("1", up(last).get("virt-api-1"));
        } finally {
            readers.shutdownNow();
        }
        // A reader waits READ_EVERY after each answer, and while a target hangs an answer takes the
        // scrape timeout: about 40 answers in all.
        assertTrue(answers.size() >= 25, "only " + answers.size() + " answers");
        for (Answer answer : answers) {
            check(answer);
        }
    }

    private static Answer read(PackagedGateway gateway) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = gateway.send(gateway.request("/metrics")
                    .header("X-Prometheus-Scrape-Timeout-Seconds", Integer.toString(TIMEOUT_SECONDS)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), (System.nanoTime() - start) / 1_000_000);
        } catch (Exception e) {
            return new Answer(-1, e.toString(), (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** 200, in time, valid, and for every target that is up, its series; none of a target that is down. */
    private static void check(Answer answer) throws Exception {
        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.millis() < TIMEOUT_SECONDS * 1000L, answer.millis() + " ms");
        Expositions.checkValid(answer.body());
        Promtool.checkMetrics(answer.body());
        for (Map.Entry<String, String> target : up(answer.body()).entrySet()) {
            boolean hasSeries = answer.body().lines().anyMatch(line -> line.startsWith("rest_client_requests_total{")
                    || line.startsWith("kubevirt_rest_client_requests_total{") ? line.contains("pod=\""
                    + target.getKey() + "\"") : false);
            assertEquals("1".equals(target.getValue()), hasSeries, target + " in\n" + answer.body());
        }
    }

    /** Each target's up value, by pod. */
    private static Map<String, String> up(String metrics) {
        Map<String, String> up = new HashMap<>();
        Matcher matcher = UP.matcher(metrics);
        while (matcher.find()) {
            up.put(matcher.group(1), matcher.group(2));
        }
        return up;
    }
}
