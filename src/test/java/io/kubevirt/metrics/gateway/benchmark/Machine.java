package io.kubevirt.metrics.gateway.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a benchmark ran on, for its write-up. */
final class Machine {
    private Machine() {
    }

    /** Such as "2 vCPU (Intel Xeon ...), 24 GiB, OpenJDK 17.0.15". */
    static String describe() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        return String.format(Locale.ROOT, "%d vCPU (%s), %.0f GiB, %s %s", Runtime.getRuntime().availableProcessors(),
                cpu, totalMemoryGiB(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }

    static double totalMemoryGiB() throws IOException {
        String total = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .findFirst().orElseThrow();
        return Long.parseLong(total.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
    }
}
