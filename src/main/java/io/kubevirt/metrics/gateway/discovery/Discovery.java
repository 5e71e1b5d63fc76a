package io.kubevirt.metrics.gateway.discovery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;

/** All enabled target sources together. */
@ApplicationScoped
public class Discovery {
    private final List<TargetSource> sources;

    public Discovery(Instance<TargetSource> sources) {
        this.sources = sources.stream().filter(TargetSource::enabled).toList();
    }

    /** The enabled sources. */
    public List<TargetSource> sources() {
        return sources;
    }

    /** True when every enabled source has its first complete view. */
    public boolean ready() {
        return sources.stream().allMatch(TargetSource::ready);
    }

    /** The targets of every source. */
    public List<DiscoveredTarget> targets() {
        List<DiscoveredTarget> all = new ArrayList<>();
        for (TargetSource source : sources) {
            all.addAll(source.targets());
        }
        return all;
    }
}
