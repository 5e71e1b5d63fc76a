package io.kubevirt.metrics.gateway.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * When {@code gateway.tls.self-signed} is true, generates a certificate and points
 * {@code gateway.tls.cert-file} and {@code gateway.tls.key-file} at it. A config source, because
 * the HTTPS listener reads its certificate before any application code runs.
 */
public final class SelfSignedTlsConfigSourceFactory implements ConfigSourceFactory {
    /** Above application.properties (250), below environment variables (300). */
    private static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue selfSigned = context.getValue("gateway.tls.self-signed");
        if (selfSigned == null || !StrictBoolean.isTrue(selfSigned.getValue())) {
            return List.of();
        }
        SelfSignedCertificate certificate = SelfSignedCertificate.generate();
        return List.of(new PropertiesConfigSource(Map.of(
                "gateway.tls.cert-file", certificate.certFile().toString(),
                "gateway.tls.key-file", certificate.keyFile().toString()),
                "gateway.tls.self-signed", ORDINAL));
    }
}
