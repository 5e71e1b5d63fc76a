package io.kubevirt.metrics.gateway.scrape;

/** Leases of the memory budget as the scraper takes them, for tests of the stages after it. */
public final class Leases {
    private Leases() {
    }

    /** A lease of {@code budget}, for the target {@code key}, that holds {@code bytes}. */
    public static MemoryBudget.Lease holding(MemoryBudget budget, String key, long bytes) {
        MemoryBudget.Lease lease = budget.lease(key);
        if (!lease.grow(bytes)) {
            throw new IllegalStateException("no room for " + bytes + " bytes in the budget");
        }
        return lease;
    }
}
