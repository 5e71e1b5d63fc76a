package io.kubevirt.metrics.gateway.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers of the API server kept for a while: at most {@code capacity} entries (the least recently
 * used go first), each for {@code ttl}. Thread safe.
 */
final class ExpiringCache<K, V> {
    private record Entry<V>(V value, long expires) {
    }

    private final long ttlNanos;
    private final Map<K, Entry<V>> entries;

    ExpiringCache(Duration ttl, int capacity) {
        this.ttlNanos = ttl.toNanos();
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized V get(K key) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        if (System.nanoTime() - entry.expires() > 0) {
            entries.remove(key);
            return null;
        }
        return entry.value();
    }

    synchronized void put(K key, V value) {
        entries.put(key, new Entry<>(value, System.nanoTime() + ttlNanos));
    }
}
