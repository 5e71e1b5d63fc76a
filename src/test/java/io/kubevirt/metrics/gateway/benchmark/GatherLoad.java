package io.kubevirt.metrics.gateway.benchmark;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.HttpStub;
import io.kubevirt.metrics.gateway.testing.ImageFlags;
import io.kubevirt.metrics.gateway.testing.PackagedGateway.Artifact;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The packaged gateway under load, on loopback only: four simulated virt-handler pods of about
 * 25,000 series each (plain HTTP, so the figure is the gateway's and not TLS's), a fixed number of
 * sequential gathers, then of concurrent ones. For the jar, and in the same run for the native
 * executable when the build made one, each with its image's flags and the same fixed heap
 * ({@code -Dgateway.heap=256m}, the default): time from start to ready, resident
 * memory at rest, latency, CPU time per gather and peak resident memory. Bounded: 2 ×
 * {@link #GATHERS} requests per artifact, then it stops everything.
 * Run: {@code ./mvnw -B -Pload -DskipTests verify}.
 */
public final class GatherLoad {
    static final int TARGETS = 4;
    static final int GATHERS = 30;
    static final int CLIENTS = 4;
    static final int STARTS = 5;

    /** What one artifact measured; times in milliseconds, memory in MB. */
    record Figures(Artifact artifact, double startToReady, double restingRss, double[] sequential,
            double cpuPerGather, double[] concurrent, double peakRss) {
    }

    public static void main(String[] args) throws Exception {
        List<HttpStub> stubs = new ArrayList<>();
        StringBuilder fileSd = new StringBuilder();
        long bytes = 0;
        int series = 0;
        for (int i = 0; i < TARGETS; i++) {
            byte[] body = ScaledVirtHandler.body(132, "worker-" + i);
            bytes += body.length;
            series += ScaledVirtHandler.series(body);
            String text = new String(body, StandardCharsets.UTF_8);
            HttpStub stub = new HttpStub(() -> text);
            stubs.add(stub);
            fileSd.append("- targets: ['").append(stub.address()).append("']\n  labels: {__scheme__: http, pod: ")
                    .append("virt-handler-").append(i).append(", namespace: kubevirt, kubevirt_io: virt-handler}\n");
        }
        Path targets = Files.createTempFile("targets", ".yaml");
        Files.writeString(targets, fileSd);
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        Map<String, String> config = Map.of(
                "gateway.discovery.kubernetes.enabled", "false",
                "gateway.discovery.file", targets.toString(),
                "gateway.tls.cert-file", tls.certFile().toString(),
                "gateway.tls.key-file", tls.keyFile().toString());
        String heap = System.getProperty("gateway.heap", "256m");
        List<Artifact> artifacts = Files.isExecutable(PackagedGateway.nativeExecutable())
                ? List.of(Artifact.JAR, Artifact.NATIVE) : List.of(Artifact.JAR);
        try {
            System.out.printf("%d targets, %d series, %.1f MB per gather%n", TARGETS, series, bytes / 1e6);
            List<Figures> figures = new ArrayList<>();
            for (Artifact artifact : artifacts) {
                List<String> options = ImageFlags.withHeap(artifact, heap);
                System.out.printf("%s: %s%n", artifact, String.join(" ", options));
                figures.add(measure(artifact, config, options));
            }
            System.out.println();
            System.out.println("| artifact | start to ready | RSS at rest | sequential p50 / p90 / max "
                    + "| CPU per gather | " + CLIENTS + " concurrent clients p50 / p90 / max | peak RSS |");
            System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
            for (Figures f : figures) {
                System.out.printf("| %s | %.0f ms | %.0f MB | %.0f / %.0f / %.0f ms | %.0f ms | %.0f / %.0f / %.0f ms "
                        + "| %.0f MB |%n", f.artifact().name().toLowerCase(), f.startToReady(), f.restingRss(),
                        percentile(f.sequential(), 50), percentile(f.sequential(), 90),
                        percentile(f.sequential(), 100), f.cpuPerGather(), percentile(f.concurrent(), 50),
                        percentile(f.concurrent(), 90), percentile(f.concurrent(), 100), f.peakRss());
            }
        } finally {
            stubs.forEach(HttpStub::close);
        }
    }

    private static Figures measure(Artifact artifact, Map<String, String> config, List<String> options)
            throws Exception {
        // Start to ready: the median of a few starts (the first one also warms the page cache).
        double[] starts = new double[STARTS];
        for (int i = 0; i < STARTS; i++) {
            long start = System.nanoTime();
            try (PackagedGateway gateway = PackagedGateway.start(artifact, config, options)) {
                gateway.awaitReady(Duration.ofSeconds(60));
                starts[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        try (PackagedGateway gateway = PackagedGateway.start(artifact, config, options)) {
            gateway.awaitReady(Duration.ofSeconds(60));
            Thread.sleep(2000); // At rest: started, nothing scraped yet.
            double restingRss = memory(gateway.process(), "VmRSS");
            for (int i = 0; i < 5; i++) {
                gateway.get("/metrics"); // Warm-up.
            }
            long cpuBefore = cpuNanos(gateway);
            double[] sequential = new double[GATHERS];
            for (int i = 0; i < GATHERS; i++) {
                long start = System.nanoTime();
                gateway.get("/metrics");
                sequential[i] = (System.nanoTime() - start) / 1e6;
            }
            double cpuPerGather = (cpuNanos(gateway) - cpuBefore) / 1e6 / GATHERS;
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Double>> running = new ArrayList<>();
            for (int i = 0; i < GATHERS; i++) {
                running.add(clients.submit(() -> {
                    long start = System.nanoTime();
                    gateway.get("/metrics");
                    return (System.nanoTime() - start) / 1e6;
                }));
            }
            double[] concurrent = new double[GATHERS];
            for (int i = 0; i < GATHERS; i++) {
                concurrent[i] = running.get(i).get();
            }
            clients.shutdown();
            return new Figures(artifact, percentile(starts, 50), restingRss, sequential, cpuPerGather, concurrent,
                    memory(gateway.process(), "VmHWM"));
        }
    }

    static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** User plus system CPU time of the gateway process, from /proc (Linux). */
    static long cpuNanos(PackagedGateway gateway) throws Exception {
        return cpuNanos(Files.readString(Path.of("/proc", Long.toString(gateway.process().pid()), "stat")));
    }

    /** User plus system CPU time of a /proc stat line (a process' or a thread's). */
    private static long cpuNanos(String stat) {
        // The name, in parentheses, may hold spaces: the fields are counted after its end.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux.
    }

    /** What the threads of {@link #cpuByThread} are grouped into, in the order of the table. */
    static final List<String> THREAD_GROUPS = List.of("event loops", "read, merge", "answer", "GC", "JIT", "other");

    /**
     * User plus system CPU time of the process' threads in nanoseconds, grouped by what they do:
     * Vert.x event loops (HTTP both ways, TLS, the scrapes' gzip), the gather pool (reading and
     * merging bodies), the answer pool, HotSpot's collector and JIT compiler threads. From
     * /proc/PID/task (Linux); a thread gone meanwhile is lost. The kernel keeps 15 characters of
     * a name: HotSpot gives it the first ones, the native executable the last ones.
     */
    static Map<String, Long> cpuByThread(ProcessHandle process) throws Exception {
        Map<String, Long> groups = new LinkedHashMap<>();
        THREAD_GROUPS.forEach(group -> groups.put(group, 0L));
        List<Path> tasks;
        try (var list = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            tasks = list.toList();
        }
        for (Path task : tasks) {
            String stat;
            try {
                stat = Files.readString(task.resolve("stat"));
            } catch (IOException e) {
                continue; // The thread ended.
            }
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            groups.merge(threadGroup(name), cpuNanos(stat), Long::sum);
        }
        return groups;
    }

    private static String threadGroup(String name) {
        if (name.startsWith("vert.x-eventloo") || name.contains("loop-thread-")) {
            return "event loops";
        } else if (name.startsWith("gather-")) {
            return "read, merge";
        } else if (name.startsWith("answer-")) {
            return "answer";
        } else if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.equals("VM Thread")) {
            return "GC";
        } else if (name.contains("CompilerThre")) {
            return "JIT";
        }
        return "other";
    }

    /** A memory figure of /proc/PID/status (VmRSS now, VmHWM the peak), in MB. */
    static double memory(ProcessHandle process, String field) throws Exception {
        String line = Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                .filter(l -> l.startsWith(field + ":")).findFirst().orElseThrow();
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
    }
}
