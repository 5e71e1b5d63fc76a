package io.kubevirt.metrics.gateway.config;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;

/**
 * Files the gateway re-reads when they change (file_sd targets, relabel rules). Changes are found
 * by polling the file's attributes, which survives the symlink swaps of mounted ConfigMaps that
 * file-system events miss.
 */
public final class WatchedFile {
    private WatchedFile() {
    }

    /** What changes when the file does: modification time, size and identity (inode). */
    public static String version(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return a.lastModifiedTime() + "/" + a.size() + "/" + a.fileKey();
    }

    /** Runs {@code check} every {@code interval} on a worker thread (it reads files). */
    public static void poll(Vertx vertx, Duration interval, Runnable check) {
        vertx.setPeriodic(interval.toMillis(), id -> vertx.executeBlocking(() -> {
            check.run();
            return null;
        }, false));
    }
}
