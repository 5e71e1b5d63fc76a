package io.kubevirt.metrics.gateway.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.TestConfig;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void leasesTakeTheBudgetUntilReleased() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Lease a = budget.lease("a");
        MemoryBudget.Lease b = budget.lease("b");
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

    /** The reclaimer frees what older answers hold (recycled into spares): a body that finds no room asks it once. */
    @Test
    void aBodyWithoutRoomAsksTheReclaimerForTheOlderAnswersMemory() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Lease old = budget.lease("a");
        assertTrue(old.grow(800));
        int[] asked = {0};
        budget.reclaimWith(() -> {
            asked[0]++;
            old.recycle(new byte[800]); // The older answer is cut off: its body becomes a spare.
            return true;
        });
        MemoryBudget.Lease next = budget.lease("b");
        assertTrue(next.grow(700), "the spare the reclaimer left is dropped for the body that needs the room");
        assertEquals(1, asked[0]);
        assertEquals(700, budget.used());
        budget.reclaimWith(() -> {
            asked[0]++;
            return false; // Nothing older is held.
        });
        assertFalse(budget.lease("c").grow(400));
        assertEquals(2, asked[0]);
    }

    @Test
    void aResultFailedLaterInThePipelineGivesItsBodysBufferBack() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Lease lease = budget.lease("https://10.0.0.1:8443/metrics");
        assertTrue(lease.grow(400));
        ScrapeTarget target = new ScrapeTarget("https://10.0.0.1:8443/metrics", true, "10.0.0.1", 8443, "/metrics",
                Map.of());
        byte[] body = new byte[300];
        ScrapeResult result = new ScrapeResult(target, body, 300, "text/plain", 0.1, null, null, lease);
        ScrapeResult failed = result.failedWith(ScrapeResult.Failure.INTERNAL, "reading failed");
        assertEquals(300, budget.used(), "only the target's spare is left");
        assertTrue(body == budget.lease(target.url()).takeSpare());
        assertEquals(ScrapeResult.Failure.INTERNAL, failed.failure());
        assertEquals(null, failed.body());
    }

    @Test
    void aRecycledBufferIsItsTargetsSpareUntilABodyNeedsItsRoom() {
        MemoryBudget budget = new MemoryBudget(1000);
        MemoryBudget.Lease a = budget.lease("a");
        assertTrue(a.grow(400));
        byte[] body = new byte[300];
        a.recycle(body);
        assertEquals(300, budget.used(), "the spare stays counted");
        assertNull(budget.lease("b").takeSpare(), "another target's");

        MemoryBudget.Lease next = budget.lease("a");
        assertTrue(body == next.takeSpare());
        assertNull(budget.lease("a").takeSpare(), "taken once");
        assertEquals(300, budget.used(), "its bytes moved to the lease");
        next.recycle(body);

        MemoryBudget.Lease big = budget.lease("b");
        assertTrue(big.grow(900), "the spare makes room");
        assertEquals(900, budget.used());
        assertNull(budget.lease("a").takeSpare());
        big.release();

        MemoryBudget.Lease c = budget.lease("c");
        assertTrue(c.grow(100));
        c.recycle(new byte[100]);
        budget.retain(Set.of("a"));
        assertEquals(0, budget.used(), "a spare of a target gone is dropped");
        MemoryBudget.Lease released = budget.lease("c");
        released.release();
        released.recycle(new byte[10]);
        assertEquals(0, budget.used(), "a released lease keeps nothing");
    }

    @Test
    void defaultsToHalfTheHeap() {
        assertEquals(Runtime.getRuntime().maxMemory() / 2, new MemoryBudget(TestConfig.of(Map.of())).limit());
        assertEquals(64L << 20, new MemoryBudget(TestConfig.of(Map.of("gateway.scrape.memory-budget", "64M"))).limit());
    }
}
