package io.kubevirt.metrics.gateway.scrape;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.config.WatchedFile;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The scraper's trust material, read from its files and read again when they change: the CA
 * bundle the targets' certificates must chain to ({@code gateway.scrape.tls.ca-file}, KubeVirt's
 * {@code kubevirt-ca}, which KubeVirt rotates while running) and the client certificate and key.
 * Files are compared by {@link WatchedFile#version}, which sees a ConfigMap's or Secret's atomic
 * {@code ..data} symlink swap. The content goes into the options itself (not the path), and a
 * bundle is parsed before it is used: a file caught half-written is ignored until it is whole, as
 * Prometheus keeps its last good CA. Not thread safe: the scraper reloads from one poller.
 */
final class TrustMaterial {
    private final Optional<Path> caFile;
    private final Optional<Path> certFile;
    private final Optional<Path> keyFile;
    private String versions;

    TrustMaterial(GatewayConfig.ScrapeTls tls) {
        this.caFile = tls.insecureSkipVerify() ? Optional.empty() : tls.caFile();
        boolean clientCertificate = tls.certFile().isPresent() && tls.keyFile().isPresent();
        this.certFile = clientCertificate ? tls.certFile() : Optional.empty();
        this.keyFile = clientCertificate ? tls.keyFile() : Optional.empty();
    }

    /** True when the scraper has files to watch. */
    boolean watched() {
        return caFile.isPresent() || certFile.isPresent();
    }

    /**
     * Puts the files' current content into {@code options}, when it differs from what was last
     * read; false when nothing changed (and {@code options} is left alone).
     *
     * @throws IOException when a file cannot be read
     * @throws GeneralSecurityException when the CA bundle holds no valid certificate
     */
    boolean readInto(HttpClientOptions options) throws IOException, GeneralSecurityException {
        String now = version(caFile) + "|" + version(certFile) + "|" + version(keyFile);
        if (now.equals(versions)) {
            return false;
        }
        PemTrustOptions trustOptions = null;
        if (caFile.isPresent()) {
            byte[] bundle = Files.readAllBytes(caFile.get());
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bundle))
                    .isEmpty()) {
                throw new GeneralSecurityException(caFile.get() + " holds no certificate");
            }
            trustOptions = new PemTrustOptions().addCertValue(Buffer.buffer(bundle));
        }
        PemKeyCertOptions keyCertOptions = null;
        if (certFile.isPresent()) {
            keyCertOptions = new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readAllBytes(certFile.get())))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(keyFile.get())));
        }
        // Only now that every file was read: a failure above leaves the options as they were.
        if (trustOptions != null) {
            options.setTrustOptions(trustOptions);
        }
        if (keyCertOptions != null) {
            options.setKeyCertOptions(keyCertOptions);
        }
        versions = now;
        return true;
    }

    /** The files, for messages. */
    List<Path> files() {
        List<Path> files = new ArrayList<>();
        caFile.ifPresent(files::add);
        certFile.ifPresent(files::add);
        keyFile.ifPresent(files::add);
        return files;
    }

    private static String version(Optional<Path> file) throws IOException {
        return file.isPresent() ? WatchedFile.version(file.get()) : "";
    }
}
