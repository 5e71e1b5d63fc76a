package io.kubevirt.metrics.gateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The serving TLS profile as KubeVirt configures its own (KubeVirt CR
 * {@code spec.configuration.tlsConfiguration}): a minimum version named {@code VersionTLS12} or
 * {@code VersionTLS13} and, for TLS 1.2, a list of cipher suites by their IANA names. The default
 * is KubeVirt's: TLS 1.2 and 1.3, and for 1.2 only ECDHE key exchange with AES-GCM or ChaCha20
 * (what Mozilla's intermediate profile allows); TLS 1.0 and 1.1 are never offered. TLS 1.3's own
 * suites are always enabled: they are all strong, and no profile restricts them.
 */
public final class ServingTlsProfile {
    /** Minimum version names, as KubeVirt and OpenShift's TLS profiles spell them, and what each enables. */
    static final Map<String, List<String>> PROTOCOLS = Map.of(
            "VersionTLS12", List.of("TLSv1.3", "TLSv1.2"),
            "VersionTLS13", List.of("TLSv1.3"));
    static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256");
    static final List<String> DEFAULT_TLS12_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private ServingTlsProfile() {
    }

    /** The protocols to enable for a minimum version, or null when the name is not one of {@link #PROTOCOLS}. */
    static List<String> protocols(String minVersion) {
        return PROTOCOLS.get(minVersion);
    }

    /** The cipher suites to enable: TLS 1.3's and the given (or default) TLS 1.2 ones. */
    static List<String> cipherSuites(List<String> tls12) {
        List<String> suites = new ArrayList<>(TLS13_SUITES);
        suites.addAll(tls12.isEmpty() ? DEFAULT_TLS12_SUITES : tls12);
        return suites;
    }
}
