package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * KubeVirt rotates its CA while the gateway runs: the bundle in the {@code kubevirt-ca} ConfigMap
 * goes from CA1 to CA1+CA2 (pods move to CA2 certificates) to CA2, and Kubernetes updates the
 * mounted file by swapping its {@code ..data} symlink. The gateway must follow without a restart,
 * and a certificate of an unknown CA stays rejected throughout.
 */
class TrustRotationIT {
    private static final String BODY = Samples.text("legacy-names/virt-api.prom");
    private static final Pattern UP = Pattern.compile("^up\\{.*pod=\"([^\"]+)\".*} ([01])$", Pattern.MULTILINE);

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private StubTarget pod(SelfSignedCertificate certificate) {
        return new StubTarget(vertx, () -> BODY, certificate.certFile().toString(), certificate.keyFile().toString());
    }

    /** Publishes a new version of the bundle as Kubernetes' atomic writer does. */
    private static void publish(Path dir, String version, SelfSignedCertificate... cas) throws Exception {
        Path data = Files.createDirectory(dir.resolve(version));
        StringBuilder bundle = new StringBuilder();
        for (SelfSignedCertificate ca : cas) {
            bundle.append(Files.readString(ca.certFile()));
        }
        Files.writeString(data.resolve("ca-bundle"), bundle);
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(version));
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void followsARotatedCaBundleWithoutARestart() throws Exception {
        SelfSignedCertificate ca1 = SelfSignedCertificate.generate();
        SelfSignedCertificate ca2 = SelfSignedCertificate.generate();
        SelfSignedCertificate unknown = SelfSignedCertificate.generate();
        Path configMap = Files.createTempDirectory("kubevirt-ca");
        publish(configMap, "..2026_11_26_01", ca1);
        Files.createSymbolicLink(configMap.resolve("ca-bundle"), Path.of("..data", "ca-bundle"));

        try (StubTarget onCa1 = pod(ca1); StubTarget onCa2 = pod(ca2); StubTarget onUnknown = pod(unknown);
                PackagedGateway gateway = PackagedGateway.startWithFileTargets("""
                        - targets: ['%s']
                          labels: {pod: virt-handler-ca1}
                        - targets: ['%s']
                          labels: {pod: virt-handler-ca2}
                        - targets: ['%s']
                          labels: {pod: virt-handler-unknown}
                        """.formatted(onCa1.address(), onCa2.address(), onUnknown.address()), ca1,
                        Map.of("gateway.scrape.tls.ca-file", configMap.resolve("ca-bundle").toString(),
                                "gateway.scrape.tls.refresh-interval", "1s"), List.of())) {
            assertEquals(Map.of("virt-handler-ca1", "1", "virt-handler-ca2", "0", "virt-handler-unknown", "0"),
                    up(gateway));

            publish(configMap, "..2026_11_26_02", ca1, ca2);
            await().atMost(Duration.ofSeconds(20)).until(() -> up(gateway).equals(Map.of("virt-handler-ca1", "1",
                    "virt-handler-ca2", "1", "virt-handler-unknown", "0")));

            publish(configMap, "..2026_11_26_03", ca2);
            await().atMost(Duration.ofSeconds(20)).until(() -> up(gateway).equals(Map.of("virt-handler-ca1", "0",
                    "virt-handler-ca2", "1", "virt-handler-unknown", "0")));

            assertTrue(gateway.log().contains("reloaded the scrape TLS material"), gateway.log());
            assertTrue(gateway.log().contains("TLS handshake with https://" + onUnknown.address() + "/metrics failed"),
                    gateway.log());
        }
    }

    private static Map<String, String> up(PackagedGateway gateway) throws Exception {
        String metrics = gateway.get("/metrics").body();
        Map<String, String> up = new java.util.TreeMap<>();
        Matcher matcher = UP.matcher(metrics);
        while (matcher.find()) {
            up.put(matcher.group(1), matcher.group(2));
        }
        assertTrue(metrics.contains("reason=\"tls\""), metrics);
        return up;
    }
}
