package io.kubevirt.metrics.gateway.config;

import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A throw-away self-signed certificate for {@code localhost} and 127.0.0.1, generated in a fresh
 * temporary directory and deleted at exit: the demo and the tests need HTTPS without a key in the
 * repository. Works in the native executable too (BouncyCastle signs with the JDK's own RSA), so the
 * demo runs natively as well.
 *
 * @param certFile the PEM certificate, which is also its own CA
 * @param keyFile the PEM private key
 */
public record SelfSignedCertificate(Path certFile, Path keyFile) {

    /** Generates a new certificate valid for one day. */
    public static SelfSignedCertificate generate() {
        try {
            Path dir = Files.createTempDirectory("kubevirt-metrics-gateway-tls-");
            dir.toFile().deleteOnExit();
            PemCertificateFiles files = (PemCertificateFiles) new CertificateGenerator(dir, true)
                    .generate(new CertificateRequest()
                            .withName("gateway")
                            .withFormat(Format.PEM)
                            .withCN("localhost")
                            .withSubjectAlternativeName("DNS:localhost")
                            .withSubjectAlternativeName("IP:127.0.0.1")
                            .withDuration(Duration.ofDays(1)))
                    .get(0);
            try (var list = Files.list(dir)) {
                list.forEach(p -> p.toFile().deleteOnExit());
            }
            return new SelfSignedCertificate(files.certFile(), files.keyFile());
        } catch (Exception e) {
            throw new IllegalStateException("gateway.tls.self-signed: cannot generate a certificate: " + e, e);
        }
    }
}
