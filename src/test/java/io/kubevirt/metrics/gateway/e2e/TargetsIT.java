package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.Chromium;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The targets API and page of the packaged gateway, with three file_sd targets: a virt-api that
 * answers, a virt-handler whose body is broken (down), and a virt-controller that the relabel
 * rules drop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TargetsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx = Vertx.vertx();
    private final List<StubTarget> stubs = new ArrayList<>();
    private PackagedGateway gateway;
    private StubTarget good;
    private StubTarget broken;

    @BeforeAll
    void start() throws Exception {
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        good = stub(tls, Samples.text("legacy-names/virt-api.prom"));
        broken = stub(tls, "kubevirt_vmi_phase_count{phase=\"Running\" 3\n");
        StubTarget dropped = stub(tls, Samples.text("legacy-names/virt-controller.prom"));
        Path rules = Files.createTempFile("relabel", ".yaml");
        Files.writeString(rules, """
                relabel_configs:
                  - {source_labels: [kubevirt_io], regex: virt-controller, action: drop}
                """);
        gateway = PackagedGateway.startWithFileTargets("""
                - targets: ['%s']
                  labels: {job: kubevirt, namespace: kubevirt, pod: virt-api-1, kubevirt_io: virt-api}
                - targets: ['%s']
                  labels: {job: kubevirt, namespace: kubevirt, pod: virt-handler-1, kubevirt_io: virt-handler}
                - targets: ['%s']
                  labels: {job: kubevirt, namespace: kubevirt, pod: virt-controller-1, kubevirt_io: virt-controller}
                """.formatted(good.address(), broken.address(), dropped.address()), tls,
                Map.of("gateway.relabel.file", rules.toString()), List.of());
        assertEquals(200, gateway.get("/metrics").statusCode()); // One gather: health is known.
    }

    private StubTarget stub(SelfSignedCertificate tls, String body) {
        StubTarget stub = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
        stubs.add(stub);
        return stub;
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        stubs.forEach(StubTarget::close);
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private JsonNode api(String query) throws Exception {
        HttpResponse<String> response = gateway.get("/api/v1/targets" + query);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode root = JSON.readTree(response.body());
        assertEquals("success", root.path("status").asText());
        return root.path("data");
    }

    private static JsonNode byPod(JsonNode targets, String pod) {
        for (JsonNode target : targets) {
            if (pod.equals(target.path("labels").path("pod").asText(target.path("discoveredLabels").path("pod")
                    .asText()))) {
                return target;
            }
        }
        throw new AssertionError("no target of pod " + pod + " in " + targets);
    }

    @Test
    void answersInPrometheusShape() throws Exception {
        JsonNode data = api("");
        assertEquals(2, data.path("activeTargets").size(), data.toString());
        JsonNode up = byPod(data.path("activeTargets"), "virt-api-1");
        assertEquals("up", up.path("health").asText());
        assertEquals("", up.path("lastError").asText());
        assertEquals("https://" + good.address() + "/metrics", up.path("scrapeUrl").asText());
        assertEquals("kubevirt", up.path("scrapePool").asText());
        assertEquals(good.address(), up.path("labels").path("instance").asText());
        assertEquals(good.address(), up.path("discoveredLabels").path("__address__").asText());
        assertTrue(up.path("lastScrapeDuration").asDouble() > 0);
        assertTrue(up.path("lastScrape").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), up.toString());

        JsonNode down = byPod(data.path("activeTargets"), "virt-handler-1");
        assertEquals("down", down.path("health").asText());
        assertTrue(down.path("lastError").asText().startsWith("parse: "), down.toString());

        assertEquals(1, data.path("droppedTargets").size());
        JsonNode dropped = data.path("droppedTargets").get(0);
        assertEquals("virt-controller-1", dropped.path("discoveredLabels").path("pod").asText());
        assertTrue(dropped.path("labels").isMissingNode(), "a dropped target has only its discovered labels");
    }

    @Test
    void filtersByStateAndScrapePoolAsPrometheusDoes() throws Exception {
        JsonNode active = api("?state=active");
        assertEquals(2, active.path("activeTargets").size());
        assertEquals(0, active.path("droppedTargets").size());
        JsonNode dropped = api("?state=dropped");
        assertEquals(0, dropped.path("activeTargets").size());
        assertEquals(1, dropped.path("droppedTargets").size());
        assertEquals(2, api("?state=any").path("activeTargets").size());
        assertEquals(2, api("?scrapePool=kubevirt").path("activeTargets").size());
        assertEquals(0, api("?scrapePool=other").path("activeTargets").size());
    }

    @Test
    void showsTheTargetsToAPersonInABrowser() throws Exception {
        String url = "https://" + gateway.address() + "/targets";
        String dom = Chromium.dom(url);
        assertTrue(dom.contains("<h2>virt-api (1)</h2>"), dom);
        assertTrue(dom.contains("<h2>virt-handler (1)</h2>"), dom);
        assertTrue(!dom.contains("virt-controller-1"), "the dropped target is not listed as active");
        assertTrue(dom.contains("All (2)") && dom.contains("Up (1)") && dom.contains("Down (1)"), dom);
        assertTrue(dom.contains("<span class=\"health down\">down</span>"), dom);
        assertTrue(dom.contains("parse: "), dom);
        // Label values are escaped, not markup.
        assertTrue(dom.contains("pod=\"virt-api-1\"") || dom.contains("pod=&quot;virt-api-1&quot;"), dom);

        String down = Chromium.dom(url + "?health=down");
        assertTrue(down.contains("virt-handler-1") && !down.contains("virt-api-1"), down);

        Path png = Path.of("target", "targets-page.png");
        Chromium.screenshot(url, png, 1280, 720);
    }
}
