package io.kubevirt.metrics.gateway.config;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Checks the configuration before anything starts: every problem is reported at once, each
 * naming its key, and the gateway does not start with any of them.
 */
@Singleton
public class ConfigValidator {
    private static final String NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
    private static final String KEY = "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?" + NAME;
    private static final String VALUE = "(" + NAME + ")?";
    private static final String REQUIREMENT = "\\s*(!\\s*" + KEY + "|" + KEY + "(\\s*(==|=|!=)\\s*" + VALUE
            + "|\\s+(in|notin)\\s*\\(\\s*" + VALUE + "(\\s*,\\s*" + VALUE + ")*\\s*\\))?)\\s*";
    /** Kubernetes' label selector syntax, as the API server parses it. */
    static final Pattern LABEL_SELECTOR = Pattern.compile(REQUIREMENT + "(," + REQUIREMENT + ")*");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /** The parser addresses bodies below 1 GiB (see TargetExposition). */
    static final long MAX_BODY_SIZE = (1L << 30) - 1;

    void check(@Observes @Priority(1) StartupEvent event, GatewayConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid configuration:\n  " + String.join("\n  ", problems));
        }
    }

    /** The problems of a configuration, one line each, empty when it is valid. */
    public static List<String> problems(GatewayConfig config) {
        List<String> problems = new ArrayList<>();
        GatewayConfig.Discovery discovery = config.discovery();
        if (!discovery.kubernetes().enabled() && discovery.file().isEmpty()) {
            problems.add("gateway.discovery: no source of targets; set gateway.discovery.file or "
                    + "gateway.discovery.kubernetes.enabled=true");
        }
        String selector = discovery.kubernetes().labelSelector();
        if (!LABEL_SELECTOR.matcher(selector).matches()) {
            problems.add("gateway.discovery.kubernetes.label-selector: \"" + selector + "\" is not a Kubernetes "
                    + "label selector (key, !key, key=value, key!=value, key in (a,b), key notin (a,b), "
                    + "comma-separated)");
        }
        for (String namespace : discovery.kubernetes().namespaces().orElse(List.of())) {
            if (!namespace.equals("*") && !NAMESPACE.matcher(namespace).matches()) {
                problems.add("gateway.discovery.kubernetes.namespaces: \"" + namespace + "\" is not a namespace "
                        + "name (or * for all)");
            }
        }
        if (discovery.kubernetes().portName().isBlank()) {
            problems.add("gateway.discovery.kubernetes.port-name: must not be empty");
        }
        positive(problems, "gateway.discovery.file-refresh-interval", discovery.fileRefreshInterval().toMillis());
        positive(problems, "gateway.relabel.refresh-interval", config.relabel().refreshInterval().toMillis());
        positive(problems, "gateway.scrape.tls.refresh-interval", config.scrape().tls().refreshInterval().toMillis());
        positive(problems, "gateway.auth.cache-ttl", config.auth().cacheTtl().toMillis());
        GatewayConfig.Scrape scrape = config.scrape();
        positive(problems, "gateway.scrape.timeout", scrape.timeout().toMillis());
        if (scrape.minInterval().isNegative()) {
            problems.add("gateway.scrape.min-interval: must not be negative, is " + scrape.minInterval());
        }
        if (scrape.timeoutMargin().isNegative()) {
            problems.add("gateway.scrape.timeout-margin: must not be negative, is " + scrape.timeoutMargin());
        }
        long bodyLimit = scrape.bodySizeLimit().asLongValue();
        if (bodyLimit <= 0 || bodyLimit > MAX_BODY_SIZE) {
            problems.add("gateway.scrape.body-size-limit: must be between 1 byte and 1G, is " + bodyLimit
                    + " bytes");
        }
        scrape.memoryBudget().filter(budget -> budget.asLongValue() <= 0).ifPresent(budget -> problems.add(
                "gateway.scrape.memory-budget: must be positive (or unset for half the heap), is " + budget.asLongValue()
                        + " bytes"));
        notNegative(problems, "gateway.scrape.sample-limit", scrape.sampleLimit());
        notNegative(problems, "gateway.scrape.label-limit", scrape.labelLimit());
        notNegative(problems, "gateway.scrape.label-name-length-limit", scrape.labelNameLengthLimit());
        notNegative(problems, "gateway.scrape.label-value-length-limit", scrape.labelValueLengthLimit());
        notNegative(problems, "gateway.scrape.line-length-limit", scrape.lineLengthLimit());
        GatewayConfig.ScrapeTls tls = scrape.tls();
        readable(problems, "gateway.scrape.tls.ca-file", tls.caFile());
        readable(problems, "gateway.scrape.tls.cert-file", tls.certFile());
        readable(problems, "gateway.scrape.tls.key-file", tls.keyFile());
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            problems.add("gateway.scrape.tls.cert-file and gateway.scrape.tls.key-file: set both or neither");
        }
        servingTls(problems, config.tls());
        String level = config.compression().level();
        if (!level.equals("off") && !level.matches("[1-9]")) {
            problems.add("gateway.compression.level: must be off or a gzip level from 1 (fastest) to 9 (smallest), is \""
                    + level + "\"");
        }
        readable(problems, "gateway.relabel.file", config.relabel().file());
        if (config.shard().service().isPresent() && config.shard().podName().isEmpty()) {
            problems.add("gateway.shard.pod-name: required with gateway.shard.service (set it from the downward "
                    + "API, metadata.name)");
        }
        if (config.shard().service().isPresent() && !discovery.kubernetes().enabled()) {
            problems.add("gateway.shard.service: needs gateway.discovery.kubernetes.enabled=true");
        }
        return problems;
    }

    private static void servingTls(List<String> problems, GatewayConfig.Tls tls) {
        if (ServingTlsProfile.protocols(tls.minVersion()) == null) {
            problems.add("gateway.tls.min-version: \"" + tls.minVersion() + "\" is not one of "
                    + new TreeSet<>(ServingTlsProfile.PROTOCOLS.keySet()));
        }
        Set<String> supported;
        try {
            supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no TLS in this runtime", e);
        }
        for (String cipher : tls.ciphers().orElse(List.of())) {
            if (!supported.contains(cipher) || ServingTlsProfile.TLS13_SUITES.contains(cipher)) {
                problems.add("gateway.tls.ciphers: \"" + cipher + "\" is not a TLS 1.2 cipher suite this runtime "
                        + "supports (IANA names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
            }
        }
    }

    private static void notNegative(List<String> problems, String key, int limit) {
        if (limit < 0) {
            problems.add(key + ": must be 0 (no limit) or more, is " + limit);
        }
    }

    private static void positive(List<String> problems, String key, long millis) {
        if (millis <= 0) {
            problems.add(key + ": must be positive");
        }
    }

    private static void readable(List<String> problems, String key, Optional<Path> file) {
        if (file.isPresent() && !Files.isReadable(file.get())) {
            problems.add(key + ": " + file.get() + (Files.exists(file.get()) ? " is not readable" : " does not exist"));
        }
    }
}
