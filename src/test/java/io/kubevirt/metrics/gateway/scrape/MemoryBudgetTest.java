package io.kubevirt.metrics.gateway.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.TestConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void leasesTakeTheBudgetUntilReleased() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Lease a = budget.lease();
        MemoryBudget.Lease b = budget.lease();
        assertTrue(a.grow(600));
        assertFalse(b.grow(500), "600 + 500 is over 1000");
        assertEquals(600, budget.used());
        assertTrue(b.grow(400));
        b.shrink(100);
        assertEquals(900, budget.used());
        assertTrue(b.grow(100));
        a.release();
        a.release(); // Twice gives back once.
        assertEquals(400, budget.used());
        assertFalse(a.grow(1), "a released lease takes nothing more");
        assertTrue(b.grow(600));
        b.release();
        assertEquals(0, budget.used());
    }

    @Test
    void aResultFailedLaterInThePipelineGivesItsBodysMemoryBack() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Lease lease = budget.lease();
        assertTrue(lease.grow(300));
        ScrapeTarget target = new ScrapeTarget("https://10.0.0.1:8443/metrics", true, "10.0.0.1", 8443, "/metrics",
                Map.of());
        ScrapeResult result = new ScrapeResult(target, new byte[300], 300, "text/plain", 0.1, null, null, lease);
        ScrapeResult failed = result.failedWith(ScrapeResult.Failure.INTERNAL, "reading failed");
        assertEquals(0, budget.used());
        assertEquals(ScrapeResult.Failure.INTERNAL, failed.failure());
        assertEquals(null, failed.body());
    }

    @Test
    void defaultsToHalfTheHeap() {
        assertEquals(Runtime.getRuntime().maxMemory() / 2, new MemoryBudget(TestConfig.of(Map.of())).limit());
        assertEquals(64L << 20, new MemoryBudget(TestConfig.of(Map.of("gateway.scrape.memory-budget", "64M"))).limit());
    }
}
