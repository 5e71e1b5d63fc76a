package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Promtool;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS listener's TLS versions and cipher suites, as OpenSSL's client sees them: KubeVirt's
 * default profile (TLS 1.2 with ECDHE and AEAD ciphers only, and 1.3; never 1.0 or 1.1), and the
 * profile a cluster sets through gateway.tls.min-version and gateway.tls.ciphers.
 */
class ServingTlsIT {
    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();

    private PackagedGateway gateway(Map<String, String> profile) throws Exception {
        return PackagedGateway.startWithFileTargets("[]", tls, profile, List.of());
    }

    /** True when OpenSSL completes a handshake with these options. */
    private static boolean handshakes(PackagedGateway gateway, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Promtool.binary("openssl"), "s_client", "-connect",
                gateway.address(), "-servername", "localhost"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl did not finish");
        return process.exitValue() == 0 && !output.contains("Cipher is (NONE)");
    }

    @Test
    void servesTls12WithStrongCiphersAndTls13ButNothingOlder() throws Exception {
        try (PackagedGateway gateway = gateway(Map.of())) {
            assertTrue(handshakes(gateway, "-tls1_3"));
            assertTrue(handshakes(gateway, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"));
            assertTrue(handshakes(gateway, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"));
            // CBC, and no forward secrecy: refused.
            assertFalse(handshakes(gateway, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"));
            assertFalse(handshakes(gateway, "-tls1_2", "-cipher", "AES128-GCM-SHA256"));
            // The client is allowed the old versions (OpenSSL's own default refuses them): the server says no.
            assertFalse(handshakes(gateway, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"));
            assertFalse(handshakes(gateway, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"));
        }
    }

    @Test
    void followsAClustersProfile() throws Exception {
        try (PackagedGateway gateway = gateway(Map.of("gateway.tls.min-version", "VersionTLS13"))) {
            assertTrue(handshakes(gateway, "-tls1_3"));
            assertFalse(handshakes(gateway, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"));
        }
        try (PackagedGateway gateway = gateway(Map.of("gateway.tls.ciphers", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))) {
            assertTrue(handshakes(gateway, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"));
            assertFalse(handshakes(gateway, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"));
            assertTrue(handshakes(gateway, "-tls1_3"));
        }
    }
}
