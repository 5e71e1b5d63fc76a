package io.kubevirt.metrics.gateway.benchmark;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.HttpStub;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The packaged gateway under load, on loopback only: four simulated virt-handler pods of about
 * 25,000 series each (plain HTTP, so the figure is the gateway's and not TLS's), a fixed number of
 * sequential gathers, then of concurrent ones. Prints latency, the gateway's CPU time per gather
 * and its peak memory. Bounded: 2 × {@link #GATHERS} requests, then it stops everything.
 * Run: {@code ./mvnw -B -Pload -DskipTests verify}.
 */
public final class GatherLoad {
    static final int TARGETS = 4;
    static final int GATHERS = 30;
    static final int CLIENTS = 4;

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
        try (PackagedGateway gateway = PackagedGateway.start(Map.of(
                "gateway.discovery.kubernetes.enabled", "false",
                "gateway.discovery.file", targets.toString(),
                "gateway.tls.cert-file", tls.certFile().toString(),
                "gateway.tls.key-file", tls.keyFile().toString()), List.of(System.getProperty("gateway.jvm",
                        "-Xmx256m").split(" ")))) {
            gateway.awaitReady(Duration.ofSeconds(60));
            System.out.printf("%d targets, %d series, %.1f MB per gather; gateway JVM options %s%n", TARGETS,
                    series, bytes / 1e6, System.getProperty("gateway.jvm", "-Xmx256m"));
            for (int i = 0; i < 5; i++) {
                gateway.get("/metrics"); // Warm-up.
            }
            long cpuBefore = cpuNanos(gateway);
            double[] sequential = new double[GATHERS];
            int outputBytes = 0;
            for (int i = 0; i < GATHERS; i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = gateway.get("/metrics");
                sequential[i] = (System.nanoTime() - start) / 1e6;
                outputBytes = response.body().length();
            }
            double cpuPerGather = (cpuNanos(gateway) - cpuBefore) / 1e6 / GATHERS;
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<Double>> concurrent = new ArrayList<>();
            for (int i = 0; i < GATHERS; i++) {
                concurrent.add(clients.submit(() -> {
                    long start = System.nanoTime();
                    gateway.get("/metrics");
                    return (System.nanoTime() - start) / 1e6;
                }));
            }
            double[] shared = new double[GATHERS];
            for (int i = 0; i < GATHERS; i++) {
                shared[i] = concurrent.get(i).get();
            }
            clients.shutdown();
            System.out.printf("output %.1f MB%n", outputBytes / 1e6);
            System.out.printf("sequential gathers: p50 %.0f ms, p90 %.0f ms, max %.0f ms; gateway CPU %.0f ms per gather%n",
                    percentile(sequential, 50), percentile(sequential, 90), percentile(sequential, 100), cpuPerGather);
            System.out.printf("%d concurrent clients: p50 %.0f ms, p90 %.0f ms, max %.0f ms%n", CLIENTS,
                    percentile(shared, 50), percentile(shared, 90), percentile(shared, 100));
            System.out.printf("gateway peak resident memory: %s%n", peakMemory(gateway));
        } finally {
            stubs.forEach(HttpStub::close);
        }
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /** User plus system CPU time of the gateway process, from /proc (Linux). */
    private static long cpuNanos(PackagedGateway gateway) throws Exception {
        String[] stat = Files.readString(Path.of("/proc", Long.toString(gateway.process().pid()), "stat"))
                .replaceAll(".*\\) ", "").split(" ");
        long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]); // utime, stime
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux.
    }

    private static String peakMemory(PackagedGateway gateway) throws Exception {
        return Files.readAllLines(Path.of("/proc", Long.toString(gateway.process().pid()), "status")).stream()
                .filter(l -> l.startsWith("VmHWM")).map(l -> l.replaceAll("VmHWM:\\s+", "")).findFirst().orElse("?");
    }
}
