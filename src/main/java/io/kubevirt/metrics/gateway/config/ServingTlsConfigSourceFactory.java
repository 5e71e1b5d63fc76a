package io.kubevirt.metrics.gateway.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns {@code gateway.tls.min-version} and {@code gateway.tls.ciphers} (KubeVirt's names) into
 * Quarkus' {@code quarkus.tls.protocols} and {@code quarkus.tls.cipher-suites} for the HTTPS
 * listener (see {@link ServingTlsProfile}). A config source, because the listener reads them
 * before application code runs; a bad value is left for {@link ConfigValidator} to report.
 */
public final class ServingTlsConfigSourceFactory implements ConfigSourceFactory {
    /** Above application.properties (250), below environment variables (300). */
    private static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> protocols = ServingTlsProfile.protocols(value(context, "gateway.tls.min-version", "VersionTLS12"));
        if (protocols == null) {
            return List.of();
        }
        List<String> ciphers = Arrays.stream(value(context, "gateway.tls.ciphers", "").split(","))
                .map(String::strip).filter(c -> !c.isEmpty()).toList();
        return List.of(new PropertiesConfigSource(Map.of(
                "quarkus.tls.protocols", String.join(",", protocols),
                "quarkus.tls.cipher-suites", String.join(",", ServingTlsProfile.cipherSuites(ciphers))),
                "gateway.tls profile", ORDINAL));
    }

    private static String value(ConfigSourceContext context, String key, String fallback) {
        ConfigValue value = context.getValue(key);
        return value == null || value.getValue() == null ? fallback : value.getValue();
    }
}
