package io.kubevirt.metrics.gateway.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.TestConfig;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Map;
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

        HttpClientOptions options = new HttpClientOptions();
        assertTrue(trust.readInto(options));
        assertEquals(Files.readString(ca1.certFile()), pem(options));
        assertFalse(trust.readInto(options), "unchanged: not read again");

        Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\nMIIB"); // Caught half-written.
        assertThrows(GeneralSecurityException.class, () -> trust.readInto(options));
        assertEquals(Files.readString(ca1.certFile()), pem(options), "the last good bundle stays");

        Files.writeString(bundle, Files.readString(ca1.certFile()) + Files.readString(ca2.certFile()));
        assertTrue(trust.readInto(options));
        assertEquals(Files.readString(ca1.certFile()) + Files.readString(ca2.certFile()), pem(options));
    }

    private static String pem(HttpClientOptions options) {
        return ((PemTrustOptions) options.getTrustOptions()).getCertValues().get(0).toString();
    }
}
