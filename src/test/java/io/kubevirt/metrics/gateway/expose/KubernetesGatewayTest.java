package io.kubevirt.metrics.gateway.expose;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubevirt.metrics.gateway.testing.GatewayHttps;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.Promtool;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole gateway over HTTPS, with pods in the fabric8 mock API server pointing at stub HTTPS
 * targets on 127.0.0.1.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class KubernetesGatewayTest {
    private static final String VIRT_API = Samples.text("legacy-names/virt-api.prom");
    private static final String VIRT_HANDLER = Samples.text("legacy-names/virt-handler.prom");

    @Inject
    KubernetesClient client;

    @Inject
    Vertx vertx;

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    private final List<StubTarget> stubs = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        client.pods().inNamespace(client.getNamespace()).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> !metrics().contains("scrape_samples_scraped{"));
        stubs.forEach(StubTarget::close);
    }

    private StubTarget stub(String body) {
        StubTarget stub = StubTarget.serving(vertx, body);
        stubs.add(stub);
        return stub;
    }

    private RequestSpecification https() {
        return GatewayHttps.https(base);
    }

    private String metrics() {
        return GatewayHttps.metrics(base);
    }

    private static PodBuilder pod(String name, String component, int port) {
        return new PodBuilder()
                .withNewMetadata().withName(name)
                .addToLabels("kubevirt.io", component).addToLabels("prometheus.kubevirt.io", "true")
                .endMetadata()
                .withNewSpec().withNodeName("node-1")
                .addNewContainer().withName(component).withImage("quay.io/kubevirt/" + component + ":v1.4.0")
                .addNewPort().withName("metrics").withContainerPort(port).withProtocol("TCP").endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").withHostIP("10.0.0.1").endStatus();
    }

    private void create(PodBuilder pod) {
        client.pods().inNamespace(client.getNamespace()).resource(pod.build()).create();
    }

    @Test
    void followsPodsAsTheyComeAndGo() {
        StubTarget api = stub(VIRT_API);
        StubTarget handler = stub(VIRT_HANDLER);
        create(pod("virt-api-1", "virt-api", api.port()));
        create(pod("virt-handler-x", "virt-handler", handler.port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-handler-x\""));

        String ns = client.getNamespace();
        String metrics = metrics();
        assertTrue(metrics.contains("rest_client_requests_total{code=\"404\",host=\"10.96.0.1:443\",method=\"GET\","
                + "container=\"virt-api\",endpoint=\"metrics\",instance=\"" + api.address() + "\","
                + "job=\"kubevirt-prometheus-metrics\",kubevirt_io=\"virt-api\",namespace=\"" + ns + "\","
                + "pod=\"virt-api-1\",service=\"kubevirt-prometheus-metrics\"} 57\n"), metrics);
        assertTrue(metrics.contains("up{container=\"virt-handler\",endpoint=\"metrics\",instance=\""
                + handler.address() + "\",job=\"kubevirt-prometheus-metrics\",kubevirt_io=\"virt-handler\","
                + "namespace=\"" + ns + "\",pod=\"virt-handler-x\",service=\"kubevirt-prometheus-metrics\"} 1\n"));
        // honor_labels: a VM's own namespace wins over the pod's.
        assertTrue(metrics.contains("name=\"fedora-web-01\",namespace=\"team-a\",node=\"worker-1\",container="
                + "\"virt-handler\",endpoint=\"metrics\",instance=\"" + handler.address() + "\",job="), metrics);
        assertEquals(1, Expositions.lines(metrics, "# TYPE rest_client_requests_total ").size());

        client.pods().inNamespace(ns).withName("virt-api-1").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> !metrics().contains("pod=\"virt-api-1\""));
        assertTrue(metrics().contains("pod=\"virt-handler-x\""));
    }

    @Test
    void scrapesOnlyRunningSelectedPodsWithTheMetricsPort() {
        StubTarget good = stub(VIRT_API);
        StubTarget pending = stub(VIRT_API);
        StubTarget unlabelled = stub(VIRT_API);
        StubTarget otherPort = stub(VIRT_API);
        create(pod("virt-api-good", "virt-api", good.port()));
        create(pod("virt-api-pending", "virt-api", pending.port()).editStatus().withPhase("Pending").endStatus());
        create(pod("virt-api-unlabelled", "virt-api", unlabelled.port()).editMetadata()
                .removeFromLabels("prometheus.kubevirt.io").endMetadata());
        create(pod("virt-api-other-port", "virt-api", otherPort.port()).editSpec().editFirstContainer()
                .editFirstPort().withName("virt-api").endPort().endContainer().endSpec());
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-api-good\""));
        metrics();
        assertTrue(good.requests() >= 2);
        assertEquals(List.of(0, 0, 0), List.of(pending.requests(), unlabelled.requests(), otherPort.requests()));
    }

    @Test
    void stopsScrapingAPodThatIsBeingDeleted() {
        StubTarget api = stub(VIRT_API);
        // A finalizer keeps the deleted pod around with a deletionTimestamp, as while it terminates.
        create(pod("virt-api-terminating", "virt-api", api.port()).editMetadata()
                .addToFinalizers("kubevirt.io/test").endMetadata());
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-api-terminating\""));
        client.pods().inNamespace(client.getNamespace()).withName("virt-api-terminating").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> !metrics().contains("pod=\"virt-api-terminating\""));
        assertTrue(client.pods().inNamespace(client.getNamespace()).withName("virt-api-terminating").get()
                .getMetadata().getDeletionTimestamp() != null);
        client.pods().inNamespace(client.getNamespace()).withName("virt-api-terminating").edit(
                pod -> new PodBuilder(pod).editMetadata().withFinalizers().endMetadata().build());
    }

    @Test
    void aBrokenTargetIsReportedAndTheOthersAreStillServed() {
        StubTarget good = stub(VIRT_API);
        StubTarget garbage = stub("# TYPE broken gauge\nbroken{x=\"1} 1\n");
        StubTarget failing = stub(VIRT_API).status(503);
        create(pod("virt-api-good", "virt-api", good.port()));
        create(pod("virt-api-garbage", "virt-api", garbage.port()));
        create(pod("virt-api-failing", "virt-api", failing.port()));
        create(pod("virt-api-closed", "virt-api", 1)); // Nothing listens on port 1.
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-api-closed\""));

        String metrics = metrics();
        assertTrue(metrics.contains("pod=\"virt-api-good\",service=\"kubevirt-prometheus-metrics\"} 57\n"));
        for (String pod : List.of("garbage", "failing", "closed")) {
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("up{") && l.contains("pod=\"virt-api-" + pod + "\"")
                    && l.endsWith("} 0")), pod + " not down:\n" + metrics);
        }
        assertTrue(metrics.contains("kubevirt_metrics_gateway_scrape_errors_total{reason=\"parse\",target=\"https://"
                + garbage.address() + "/metrics\"}"), metrics);
        assertTrue(metrics.contains("kubevirt_metrics_gateway_scrape_errors_total{reason=\"http_status\",target=\"https://"
                + failing.address() + "/metrics\"}"));
        assertTrue(metrics.contains("kubevirt_metrics_gateway_scrape_errors_total{reason=\"connect\",target=\"https://"
                + "127.0.0.1:1/metrics\"}"));
        assertTrue(metrics.lines().noneMatch(l -> l.startsWith("broken")));

        // The error counters go with their targets.
        client.pods().inNamespace(client.getNamespace()).withName("virt-api-closed").delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> !metrics().contains("127.0.0.1:1/metrics"));
    }

    @Test
    void theOutputIsValidForOurParserAndPromtool() throws Exception {
        create(pod("virt-api-1", "virt-api", stub(VIRT_API).port()));
        create(pod("virt-handler-1", "virt-handler", stub(VIRT_HANDLER).port()));
        create(pod("virt-handler-2", "virt-handler",
                stub(Samples.text("current-names/virt-handler.prom")).port()));
        create(pod("virt-edge", "virt-edge", stub(Samples.text("edge-cases.prom")).port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-edge\""));
        String metrics = metrics();
        List<String> samples = Expositions.checkValid(metrics);
        assertTrue(samples.size() > 800, "only " + samples.size() + " samples");
        Promtool.checkMetrics(metrics);
    }

    @Test
    void concurrentRequestsShareOneScrapeOfEachTarget() {
        StubTarget slow = stub(VIRT_API).delay(Duration.ofMillis(700));
        create(pod("virt-api-slow", "virt-api", slow.port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-api-slow\""));
        int before = slow.requests();
        List<CompletableFuture<String>> requests = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            requests.add(CompletableFuture.supplyAsync(this::metrics));
            try {
                Thread.sleep(100); // The later requests arrive while the first gather waits for the slow pod.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<String> bodies = requests.stream().map(CompletableFuture::join).toList();
        assertEquals(1, slow.requests() - before);
        assertEquals(bodies.get(0), bodies.get(1));
        assertEquals(bodies.get(0), bodies.get(2));
    }

    @Test
    void prometheusScrapeTimeoutBoundsEachTarget() {
        StubTarget slow = stub(VIRT_API).delay(Duration.ofSeconds(3));
        StubTarget fast = stub(VIRT_HANDLER);
        create(pod("virt-api-slow", "virt-api", slow.port()));
        create(pod("virt-handler-fast", "virt-handler", fast.port()));
        await().atMost(Duration.ofSeconds(15)).until(() -> metrics().contains("pod=\"virt-handler-fast\""));
        String metrics = https().header("X-Prometheus-Scrape-Timeout-Seconds", "1").get("/metrics").then()
                .statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("up{") && l.contains("virt-api-slow")
                && l.endsWith("} 0")), metrics);
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("up{") && l.contains("virt-handler-fast")
                && l.endsWith("} 1")));
        assertTrue(metrics.contains("kubevirt_metrics_gateway_scrape_errors_total{reason=\"timeout\",target=\"https://"
                + slow.address() + "/metrics\"}"));
    }

    @Test
    void compressesWhenAsked() {
        create(pod("virt-api-1", "virt-api", stub(VIRT_API).port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics().contains("pod=\"virt-api-1\""));
        https().header("Accept-Encoding", "gzip").get("/metrics").then().statusCode(200)
                .header("Content-Encoding", "gzip")
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void answersHealthProbes() {
        for (String probe : List.of("live", "ready", "started")) {
            https().get("/q/health/" + probe).then().statusCode(200)
                    .body(org.hamcrest.Matchers.containsString("\"status\": \"UP\""));
        }
    }
}
