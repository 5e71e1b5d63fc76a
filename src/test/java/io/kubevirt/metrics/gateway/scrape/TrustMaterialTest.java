package io.kubevirt.metrics.gateway.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.TestConfig;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrustMaterialTest {

    @Test
    void readsTheBundleAgainOnlyWhenItChangedAndKeepsTheLastGoodOne() throws Exception {
        SelfSignedCertificate ca1 = SelfSignedCertificate.generate();
        SelfSignedCertificate ca2 = SelfSignedCertificate.generate();
        Path bundle = Files.createTempFile("ca", ".crt");
        Files.copy(ca1.certFile(), bundle, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TrustMaterial trust = new TrustMaterial(TestConfig.of(Map.of("gateway.scrape.tls.ca-file", bundle.toString()))
                .scrape().tls());

        Optional<SSLOptions> first = trust.changed(new SSLOptions());
        assertTrue(first.isPresent());
        assertEquals(Files.readString(ca1.certFile()), pem(first.get()));
        assertEquals(Optional.empty(), trust.changed(new SSLOptions()), "unchanged: not read again");

        Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\nMIIB"); // Caught half-written.
        assertThrows(GeneralSecurityException.class, () -> trust.changed(new SSLOptions()));

        Files.writeString(bundle, Files.readString(ca1.certFile()) + Files.readString(ca2.certFile()));
        assertEquals(Files.readString(ca1.certFile()) + Files.readString(ca2.certFile()),
                pem(trust.changed(new SSLOptions()).orElseThrow()));
    }

    private static String pem(SSLOptions options) {
        return ((PemTrustOptions) options.getTrustOptions()).getCertValues().get(0).toString();
    }
}
