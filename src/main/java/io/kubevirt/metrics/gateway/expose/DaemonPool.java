package io.kubevirt.metrics.gateway.expose;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The answer path's thread pools: gathering, writing and compressing each run on a fixed pool of
 * daemon threads of their own rather than on Quarkus' worker pool, which keeps each thread's last
 * task: a task holds a merge and with it every body of a gather, and those must not outlive the
 * answer. The JDK's pool lets go of a task once it has run.
 */
final class DaemonPool {
    private DaemonPool() {
    }

    /** A fixed pool of {@code threads} daemon threads named {@code name-N}. */
    static ExecutorService of(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }
}
