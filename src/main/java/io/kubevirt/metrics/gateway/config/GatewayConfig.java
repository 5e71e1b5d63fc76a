package io.kubevirt.metrics.gateway.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The gateway's configuration, under {@code gateway.}; checked at start by {@link ConfigValidator}. */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    Discovery discovery();

    Scrape scrape();

    Tls tls();

    Relabel relabel();

    Demo demo();

    Shard shard();

    Auth auth();

    Compression compression();

    interface Discovery {
        Kubernetes kubernetes();

        /** A Prometheus file_sd file (JSON or YAML) of targets; re-read when it changes. */
        Optional<Path> file();

        /** How often the file_sd file is checked for changes. */
        @WithDefault("5s")
        Duration fileRefreshInterval();
    }

    interface Kubernetes {
        /** Discover KubeVirt's pods through the Kubernetes API. */
        @WithDefault("true")
        @WithConverter(StrictBoolean.class)
        boolean enabled();

        /**
         * Namespaces to watch; {@code *} for all. Default: the gateway's own namespace, else
         * {@code kubevirt}.
         */
        Optional<List<String>> namespaces();

        /** Pods to scrape; the default selects every pod that has the label, whatever its value. */
        @WithDefault("prometheus.kubevirt.io")
        String labelSelector();

        /** Name of the container port to scrape. */
        @WithDefault("metrics")
        String portName();
    }

    interface Compression {
        /**
         * gzip level of answers to clients that accept gzip (Prometheus always does): 1, the
         * fastest, to 9, the smallest; or {@code off} to always answer uncompressed.
         */
        @WithDefault("1")
        String level();
    }

    interface Scrape {
        /** Per-target timeout when Prometheus sends no X-Prometheus-Scrape-Timeout-Seconds. */
        @WithDefault("10s")
        Duration timeout();

        /**
         * With a positive value, a request within this time after a gather completed gets that
         * gather's answer: the pods are scraped at most once per interval, however many Prometheus
         * replicas ask at different moments. 0 (the default): every request gathers, or joins the
         * gather already running.
         */
        @WithDefault("0s")
        Duration minInterval();

        /** Taken off Prometheus' scrape timeout, so the gateway answers before Prometheus gives up. */
        @WithDefault("500ms")
        Duration timeoutMargin();

        /**
         * The memory the bodies of all gathers together may take; a body that would exceed it fails
         * its target (reason memory_budget). By default half the maximum heap: the rest is for the
         * per-sample index (about a quarter of the bodies), the chunks in flight and the runtime.
         */
        Optional<MemorySize> memoryBudget();

        /** Largest (uncompressed) body read from one target; a larger one fails that target. */
        @WithDefault("64M")
        MemorySize bodySizeLimit();

        /** Most samples taken from one target, 0 for no limit; more fails that target, as in Prometheus. */
        @WithDefault("0")
        int sampleLimit();

        /** Most labels of a series (after metric relabeling, __name__ included), 0 for none; more fails the target. */
        @WithDefault("0")
        int labelLimit();

        /** Longest label name, in bytes, 0 for no limit; a longer one fails the target. */
        @WithDefault("0")
        int labelNameLengthLimit();

        /** Longest label value, in bytes, 0 for no limit; a longer one fails the target. */
        @WithDefault("0")
        int labelValueLengthLimit();

        /** Longest line of a body, in bytes, 0 for no limit; a longer one fails the target. */
        @WithDefault("1048576")
        int lineLengthLimit();

        ScrapeTls tls();
    }

    interface ScrapeTls {
        /** PEM bundle of the CAs that sign the targets' certificates (KubeVirt's kubevirt-ca). */
        Optional<Path> caFile();

        /** Skip verification of the targets' certificates: an explicit, insecure opt-in. */
        @WithDefault("false")
        @WithConverter(StrictBoolean.class)
        boolean insecureSkipVerify();

        /**
         * Check that a target's certificate names the target (its address, or server-name). KubeVirt's
         * serving certificates name services, not pod IPs: with its CA in ca-file, false still
         * verifies the chain.
         */
        @WithDefault("true")
        @WithConverter(StrictBoolean.class)
        boolean verifyHostname();

        /** The name the targets' certificates are verified against, when it is not their address. */
        Optional<String> serverName();

        /** Client certificate (PEM) presented to targets; optional, KubeVirt does not require one. */
        Optional<Path> certFile();

        Optional<Path> keyFile();

        /**
         * How often the CA bundle and the client certificate and key are checked for changes;
         * KubeVirt rotates its CA and certificates while running.
         */
        @WithDefault("5s")
        Duration refreshInterval();
    }

    interface Tls {
        /** The gateway's own certificate chain (PEM), mapped to Quarkus' TLS registry. */
        @WithDefault("/etc/kubevirt-metrics-gateway/tls/tls.crt")
        String certFile();

        /** The key of {@link #certFile()} (PEM). */
        @WithDefault("/etc/kubevirt-metrics-gateway/tls/tls.key")
        String keyFile();

        /**
         * Generate a throw-away self-signed certificate at start and use it instead of the files:
         * for the demo and the tests only.
         */
        @WithDefault("false")
        @WithConverter(StrictBoolean.class)
        boolean selfSigned();

        /** The oldest TLS version served, as KubeVirt names it: VersionTLS12 (and 1.3) or VersionTLS13. */
        @WithDefault("VersionTLS12")
        String minVersion();

        /**
         * The TLS 1.2 cipher suites served (IANA names, as in KubeVirt's tlsConfiguration); default:
         * ECDHE with AES-GCM or ChaCha20. TLS 1.3's suites are always served.
         */
        Optional<List<String>> ciphers();
    }

    interface Relabel {
        /** A YAML file with relabel_configs, metric_relabel_configs and honor_labels; default: built-in rules. */
        Optional<Path> file();

        /** How often the relabel file is checked for changes. */
        @WithDefault("5s")
        Duration refreshInterval();
    }

    interface Shard {
        /**
         * The gateway's own Service: when set, the replicas share the targets, each scraping those
         * whose URL hashes (Prometheus' hashmod) to its place among the Service's endpoints.
         */
        Optional<String> service();

        /** This replica's pod name (the downward API's metadata.name); needed with a service. */
        Optional<String> podName();
    }

    interface Auth {
        /**
         * Require a bearer token on the data endpoints (/metrics, /api/v1/targets, /targets),
         * authenticated and authorized by the Kubernetes API server.
         */
        @WithDefault("false")
        @WithConverter(StrictBoolean.class)
        boolean enabled();

        /** How long the API server's answers about a token are kept. */
        @WithDefault("1m")
        Duration cacheTtl();

        /** What a tenant must be allowed in a namespace to read its series. */
        Tenant tenant();
    }

    interface Tenant {
        @WithDefault("kubevirt.io")
        String group();

        @WithDefault("virtualmachineinstances")
        String resource();

        @WithDefault("get")
        String verb();
    }

    interface Demo {
        /** Serve simulated KubeVirt pods on loopback and scrape them (no cluster needed). */
        @WithDefault("false")
        @WithConverter(StrictBoolean.class)
        boolean enabled();
    }
}
