package io.kubevirt.metrics.gateway.discovery;

import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelRule;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * How the gateway's replicas share the targets, with Kubernetes as the membership: the members are
 * the pods behind the gateway's own Service (its EndpointSlices), this replica included; a target
 * belongs to the member whose place in the sorted member list equals Prometheus' hashmod of the
 * target's URL. Scaling the Deployment re-shards within one informer event; a replica that goes
 * away leaves the endpoints, and the others take its targets. Without
 * {@code gateway.shard.service}, one replica owns everything.
 */
@ApplicationScoped
public class ShardMembership {
    private static final Logger LOG = Logger.getLogger(ShardMembership.class);
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Optional<String> service;
    private final String self;
    private final Instance<KubernetesClient> client;
    private volatile SharedIndexInformer<EndpointSlice> informer;

    public ShardMembership(GatewayConfig config, Instance<KubernetesClient> client) {
        this.service = config.shard().service();
        this.self = config.shard().podName().orElse("");
        this.client = client;
    }

    void start(@Observes StartupEvent event) {
        service.ifPresent(name -> {
            informer = client.get().discovery().v1().endpointSlices().withLabel(SERVICE_NAME_LABEL, name)
                    .runnableInformer(0);
            informer.exceptionHandler((started, error) -> {
                LOG.warnf("watching the endpoints of service %s failed, retrying: %s", name, error.toString());
                return true;
            });
            informer.start();
            LOG.infof("sharing targets with the replicas behind service %s as %s", name, self);
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (informer != null) {
            informer.close();
        }
    }

    /** False until the endpoints are known (when sharing). */
    public boolean ready() {
        return service.isEmpty() || informer != null && informer.hasSynced();
    }

    /** Whether sharding is configured. */
    public boolean enabled() {
        return service.isPresent();
    }

    /** The sorted names of the member pods: every pod behind the Service that is not known to be unready, and this one. */
    public List<String> members() {
        TreeSet<String> members = new TreeSet<>();
        members.add(self);
        if (informer != null) {
            for (EndpointSlice slice : informer.getStore().list()) {
                for (Endpoint endpoint : slice.getEndpoints()) {
                    boolean unready = endpoint.getConditions() != null
                            && Boolean.FALSE.equals(endpoint.getConditions().getReady());
                    if (!unready && endpoint.getTargetRef() != null && "Pod".equals(endpoint.getTargetRef().getKind())) {
                        members.add(endpoint.getTargetRef().getName());
                    }
                }
            }
        }
        return List.copyOf(members);
    }

    /** A predicate for the targets this replica scrapes now. */
    public Owner owner() {
        if (service.isEmpty()) {
            return url -> true;
        }
        List<String> members = members();
        int index = members.indexOf(self);
        return url -> RelabelRule.hashmod(url, members.size()) == index;
    }

    /** Which targets (by URL) this replica scrapes. */
    @FunctionalInterface
    public interface Owner {
        boolean owns(String url);
    }
}
