package io.kubevirt.metrics.gateway.discovery;

import java.util.List;

/** A source of targets. Implementations are thread safe: targets() is called on every scrape. */
public interface TargetSource {
    /** Name for logs, metrics and health details. */
    String name();

    /** True when this source takes part (configured). */
    boolean enabled();

    /** True once the source has its first complete view (informer synced, file read). */
    boolean ready();

    /**
     * Whether the view is current (informers watching, file read without error), and since when.
     * A source out of sync still serves its last known targets: a short API-server outage must
     * not empty the gateway's answer, so readiness does not depend on this.
     */
    SyncState sync();

    /** The current targets; cheap (reads a cache, never calls out). */
    List<DiscoveredTarget> targets();
}
