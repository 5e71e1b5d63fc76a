package io.kubevirt.metrics.gateway.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyncStateTest {

    @Test
    void isOutOfSyncBeforeTheFirstSync() {
        SyncState state = new SyncState("kubernetes");
        assertFalse(state.inSync());
        assertEquals(0, state.lastSyncSeconds());
    }

    @Test
    void keepsTheLastSyncTimeThroughAnOutage() {
        SyncState state = new SyncState("kubernetes");
        long before = System.currentTimeMillis();
        state.synced();
        assertTrue(state.inSync());
        double synced = state.lastSyncSeconds();
        assertTrue(synced * 1000 >= before && synced * 1000 <= System.currentTimeMillis(), Double.toString(synced));

        state.failed("connection refused");
        state.failed("connection refused");
        assertFalse(state.inSync());
        assertEquals(synced, state.lastSyncSeconds());

        state.synced();
        assertTrue(state.inSync());
        assertTrue(state.lastSyncSeconds() >= synced);
    }
}
