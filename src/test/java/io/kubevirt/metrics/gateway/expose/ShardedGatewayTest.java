package io.kubevirt.metrics.gateway.expose;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubevirt.metrics.gateway.relabel.RelabelRule;
import io.kubevirt.metrics.gateway.testing.GatewayHttps;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Two replicas share the targets through the endpoints of their Service; this test is replica "gateway-a". */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(ShardedGatewayTest.ReplicaA.class)
class ShardedGatewayTest {

    public static class ReplicaA implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.shard.service", "kubevirt-metrics-gateway", "gateway.shard.pod-name", "gateway-a");
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    Vertx vertx;

    @TestHTTPResource(value = "/", tls = true)
    URL base;

    private String metrics() {
        return GatewayHttps.metrics(base);
    }

    private Set<String> scrapedPods() {
        return metrics().lines().filter(l -> l.startsWith("up{"))
                .map(l -> l.replaceAll(".*pod=\"([^\"]*)\".*", "$1")).collect(Collectors.toCollection(TreeSet::new));
    }

    private void endpoints(boolean otherReady) {
        client.discovery().v1().endpointSlices().resource(new EndpointSliceBuilder()
                .withNewMetadata().withName("kubevirt-metrics-gateway-x1")
                .addToLabels("kubernetes.io/service-name", "kubevirt-metrics-gateway").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.0.0.1").withNewConditions().withReady(true).endConditions()
                .withNewTargetRef().withKind("Pod").withName("gateway-a").endTargetRef().endEndpoint()
                .addNewEndpoint().withAddresses("10.0.0.2").withNewConditions().withReady(otherReady).endConditions()
                .withNewTargetRef().withKind("Pod").withName("gateway-b").endTargetRef().endEndpoint()
                .build()).createOr(existing -> existing.update());
    }

    @Test
    void eachReplicaScrapesItsShareAndTakesOverWhenTheOtherIsGone() {
        endpoints(true);
        String virtHandler = Samples.text("legacy-names/virt-handler.prom");
        List<StubTarget> stubs = new ArrayList<>();
        Set<String> all = new TreeSet<>();
        Set<String> mine = new TreeSet<>();
        try {
            for (int i = 0; i < 8; i++) {
                StubTarget stub = StubTarget.serving(vertx, virtHandler);
                stubs.add(stub);
                String pod = "virt-handler-" + i;
                client.pods().resource(new PodBuilder().withNewMetadata().withName(pod)
                        .addToLabels("kubevirt.io", "virt-handler").addToLabels("prometheus.kubevirt.io", "")
                        .endMetadata().withNewSpec().addNewContainer().withName("virt-handler")
                        .addNewPort().withName("metrics").withContainerPort(stub.port()).endPort().endContainer()
                        .endSpec().withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build())
                        .create();
                all.add(pod);
                // gateway-a is first of [gateway-a, gateway-b]: it owns the targets that hash to 0.
                if (RelabelRule.hashmod("https://" + stub.address() + "/metrics", 2) == 0) {
                    mine.add(pod);
                }
            }
            assertTrue(!mine.isEmpty() && mine.size() < all.size(), "the test needs targets on both sides: " + mine);
            await().atMost(Duration.ofSeconds(10)).until(() -> scrapedPods().equals(mine));

            endpoints(false); // gateway-b is no longer ready: gateway-a takes everything.
            await().atMost(Duration.ofSeconds(10)).until(() -> scrapedPods().equals(all));
            assertEquals(all, scrapedPods());
        } finally {
            client.pods().delete();
            stubs.forEach(StubTarget::close);
        }
    }
}
