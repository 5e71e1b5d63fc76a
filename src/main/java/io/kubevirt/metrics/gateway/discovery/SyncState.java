package io.kubevirt.metrics.gateway.discovery;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Whether a target source's view is current, and since when it last was: what the
 * {@code discovery_up} and {@code discovery_last_sync_timestamp_seconds} metrics show. An outage is
 * logged once as a WARN when it starts (then at most once per {@link #REPEAT} while it lasts, with
 * the latest error) and once as an INFO when it ends, so a flapping API server cannot flood the
 * log. Thread safe.
 */
public final class SyncState {
    static final Duration REPEAT = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(SyncState.class);

    private final String source;
    private volatile boolean inSync;
    private volatile long lastSyncMillis;
    private long outageSinceMillis;
    private long lastWarningMillis;

    SyncState(String source) {
        this.source = source;
    }

    /** The source's view is complete and current now. */
    synchronized void synced() {
        long now = System.currentTimeMillis();
        lastSyncMillis = now;
        if (outageSinceMillis != 0) {
            LOG.infof("%s discovery is back in sync after %d s", source, (now - outageSinceMillis) / 1000);
            outageSinceMillis = 0;
        }
        inSync = true;
    }

    /** The source cannot see changes now; the last known targets are still served. */
    synchronized void failed(String error) {
        long now = System.currentTimeMillis();
        if (outageSinceMillis == 0) {
            outageSinceMillis = now;
            lastWarningMillis = now;
            LOG.warnf("%s discovery is out of sync, keeping the last known targets: %s", source, error);
        } else if (now - lastWarningMillis >= REPEAT.toMillis()) {
            lastWarningMillis = now;
            LOG.warnf("%s discovery still out of sync after %d s: %s", source, (now - outageSinceMillis) / 1000,
                    error);
        }
        inSync = false;
    }

    /** True while the source's view is current. */
    public boolean inSync() {
        return inSync;
    }

    /** Seconds since the epoch of the last time the view was current; 0 before the first time. */
    public double lastSyncSeconds() {
        return lastSyncMillis / 1000.0;
    }
}
