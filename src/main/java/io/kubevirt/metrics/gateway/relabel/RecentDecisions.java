package io.kubevirt.metrics.gateway.relabel;

/**
 * A small direct-mapped memory of what a rule decided for recent inputs. The last input alone
 * does not cover what repeats across families: the same VM names come back in every per-VM
 * family of a virt-handler, and a regular expression costs far more than a look-up here. A new
 * input takes the place of whatever held its slot. Not thread safe.
 */
final class RecentDecisions<T> {
    private static final int SIZE = 1024;

    private final byte[][] keys = new byte[SIZE][];
    private final Object[] decisions = new Object[SIZE];

    /** The decision remembered for {@code key}, or null. */
    @SuppressWarnings("unchecked")
    T get(ValueKey key) {
        int i = key.hash() & (SIZE - 1);
        byte[] k = keys[i];
        return k != null && key.contentEquals(k) ? (T) decisions[i] : null;
    }

    void put(ValueKey key, T decision) {
        int i = key.hash() & (SIZE - 1);
        keys[i] = key.toByteArray();
        decisions[i] = decision;
    }
}
