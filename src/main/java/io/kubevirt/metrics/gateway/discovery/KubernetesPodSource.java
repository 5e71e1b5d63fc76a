package io.kubevirt.metrics.gateway.discovery;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * KubeVirt's pods, followed with one fabric8 informer per watched namespace (or one for all). Each
 * scrape reads the informers' caches; nothing calls the API per request. Ready once every informer
 * has synced; in sync while every informer is watching (checked every {@link #SYNC_CHECK}), so an
 * API-server outage shows in the log and the metrics while the last known pods are still scraped.
 */
@ApplicationScoped
public class KubernetesPodSource implements TargetSource {
    /** The namespace KubeVirt is usually installed in, when the gateway's own is unknown. */
    static final String FALLBACK_NAMESPACE = "kubevirt";
    static final String ALL_NAMESPACES = "*";
    static final Duration SYNC_CHECK = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(KubernetesPodSource.class);

    private final GatewayConfig.Kubernetes config;
    private final Instance<KubernetesClient> client;
    private final Vertx vertx;
    private final List<SharedIndexInformer<Pod>> informers = new CopyOnWriteArrayList<>();
    private final SyncState sync = new SyncState("kubernetes");

    public KubernetesPodSource(GatewayConfig config, Instance<KubernetesClient> client, Vertx vertx) {
        this.config = config.discovery().kubernetes();
        this.client = client;
        this.vertx = vertx;
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
                sync.failed("listing or watching pods in " + namespace + " failed, retrying: " + error);
                return true;
            });
            informer.start();
            informers.add(informer);
            LOG.infof("watching pods in %s with label selector %s, port %s", namespace, config.labelSelector(),
                    config.portName());
        }
        vertx.setPeriodic(SYNC_CHECK.toMillis(), id -> checkSync());
    }

    /** In sync when every informer has its list and a running watch; out of sync only once it had been. */
    private void checkSync() {
        if (informers.stream().allMatch(informer -> informer.hasSynced() && informer.isWatching())) {
            sync.synced();
        } else if (sync.lastSyncSeconds() > 0) {
            sync.failed("the watch of pods (selector " + config.labelSelector() + ") is not running");
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
    public SyncState sync() {
        return sync;
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
