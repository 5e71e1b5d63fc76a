package io.kubevirt.metrics.gateway.discovery;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * KubeVirt's pods, followed with one fabric8 informer per watched namespace (or one for all). Each
 * scrape reads the informers' caches; nothing calls the API per request. Ready once every informer
 * has synced.
 */
@ApplicationScoped
public class KubernetesPodSource implements TargetSource {
    /** The namespace KubeVirt is usually installed in, when the gateway's own is unknown. */
    static final String FALLBACK_NAMESPACE = "kubevirt";
    static final String ALL_NAMESPACES = "*";
    private static final Logger LOG = Logger.getLogger(KubernetesPodSource.class);

    private final GatewayConfig.Kubernetes config;
    private final Instance<KubernetesClient> client;
    private final List<SharedIndexInformer<Pod>> informers = new CopyOnWriteArrayList<>();

    public KubernetesPodSource(GatewayConfig config, Instance<KubernetesClient> client) {
        this.config = config.discovery().kubernetes();
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled()) {
            return;
        }
        KubernetesClient kubernetes = client.get();
        for (String namespace : namespaces(kubernetes)) {
            var pods = ALL_NAMESPACES.equals(namespace) ? kubernetes.pods().inAnyNamespace()
                    : kubernetes.pods().inNamespace(namespace);
            SharedIndexInformer<Pod> informer = pods.withLabelSelector(config.labelSelector()).runnableInformer(0);
            informer.exceptionHandler((started, error) -> {
                LOG.warnf("watching pods in %s (selector %s) failed, retrying: %s", namespace,
                        config.labelSelector(), error.toString());
                return true;
            });
            informer.start();
            informers.add(informer);
            LOG.infof("watching pods in %s with label selector %s, port %s", namespace, config.labelSelector(),
                    config.portName());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        informers.forEach(SharedIndexInformer::close);
    }

    /** The configured namespaces, else the gateway's own, else {@value #FALLBACK_NAMESPACE}. */
    List<String> namespaces(KubernetesClient kubernetes) {
        if (config.namespaces().isPresent() && !config.namespaces().get().isEmpty()) {
            return config.namespaces().get().contains(ALL_NAMESPACES) ? List.of(ALL_NAMESPACES)
                    : config.namespaces().get();
        }
        String own = kubernetes.getNamespace();
        return List.of(own == null || own.isBlank() ? FALLBACK_NAMESPACE : own);
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public boolean enabled() {
        return config.enabled();
    }

    @Override
    public boolean ready() {
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public List<DiscoveredTarget> targets() {
        List<DiscoveredTarget> targets = new ArrayList<>();
        for (SharedIndexInformer<Pod> informer : informers) {
            for (Pod pod : informer.getStore().list()) {
                targets.addAll(PodTargets.of(pod, config.portName()));
            }
        }
        return targets;
    }
}
