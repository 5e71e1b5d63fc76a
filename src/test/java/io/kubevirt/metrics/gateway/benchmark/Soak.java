package io.kubevirt.metrics.gateway.benchmark;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.ImageFlags;
import io.kubevirt.metrics.gateway.testing.PackagedGateway.Artifact;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.Pods;
import io.kubevirt.metrics.gateway.testing.Samples;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged jar scraping a simulated cluster for a long, bounded time, on loopback only: a
 * mock API server with KubeVirt's pods (virt-handlers of 150 VMs each), pods replaced every
 * {@link #CHURN_EVERY}, one target failing and one hanging in turns, two readers as two
 * Prometheus replicas. Every {@link #SAMPLE_EVERY} it forces a GC in the gateway and samples its
 * heap after GC, resident memory, threads, open files and error counts; at the end it writes
 * benchmarks/soak.md (table, machine, date) and benchmarks/soak.png, and stops everything.
 * Run: {@code ./mvnw -B -Psoak -DskipTests verify -Dsoak.minutes=30}.
 */
public final class Soak {
    static final Duration CHURN_EVERY = Duration.ofSeconds(10);
    static final Duration READ_EVERY = Duration.ofSeconds(1);
    static final Duration SAMPLE_EVERY = Duration.ofSeconds(30);
    static final int TIMEOUT_SECONDS = 5;
    static final int HANDLERS = 8;
    static final String NS = "kubevirt";
    /** Held, so that the level sticks: the mock API server logs every request at INFO. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Pattern ERRORS = Pattern.compile(
            "^kubevirt_metrics_gateway_scrape_errors_total\\{[^}]*} ([0-9.Ee+]+)$", Pattern.MULTILINE);

    /** One sample; memory in MB. */
    record Sample(double minute, double heapAfterGc, double rss, int threads, int openFiles, long answers,
            long failedAnswers, double scrapeErrors) {
    }

    public static void main(String[] args) throws Exception {
        Duration length = Duration.ofMinutes(Long.getLong("soak.minutes", 30));
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Vertx vertx = Vertx.vertx();
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        KubernetesMockServer kubernetes = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        kubernetes.init();
        List<StubTarget> stubs = new ArrayList<>();
        ScheduledExecutorService load = Executors.newScheduledThreadPool(3);
        try (NamespacedKubernetesClient client = kubernetes.createClient()) {
            String handler = new String(ScaledVirtHandler.body(50, "worker"), StandardCharsets.UTF_8);
            StubTarget api = stub(vertx, tls, Samples.text("legacy-names/virt-api.prom"), stubs);
            StubTarget controller = stub(vertx, tls, Samples.text("legacy-names/virt-controller.prom"), stubs);
            client.pods().inNamespace(NS).resource(Pods.onLoopback(NS, "virt-api-1", "virt-api", api.port())).create();
            client.pods().inNamespace(NS).resource(Pods.onLoopback(NS, "virt-controller-1", "virt-controller",
                    controller.port())).create();
            List<StubTarget> handlers = new ArrayList<>();
            for (int i = 0; i < HANDLERS; i++) {
                StubTarget stub = stub(vertx, tls, handler, stubs);
                handlers.add(stub);
                client.pods().inNamespace(NS).resource(Pods.onLoopback(NS, "virt-handler-" + i + "-0", "virt-handler",
                        stub.port())).create();
            }
            try (PackagedGateway gateway = PackagedGateway.start(Artifact.JAR, Map.of(
                    "quarkus.kubernetes-client.api-server-url", client.getMasterUrl().toString(),
                    "gateway.discovery.kubernetes.namespaces", NS,
                    "gateway.tls.cert-file", tls.certFile().toString(),
                    "gateway.tls.key-file", tls.keyFile().toString(),
                    "gateway.scrape.tls.ca-file", tls.certFile().toString()),
                    ImageFlags.withHeap(Artifact.JAR, System.getProperty("gateway.heap", "256m")))) {
                gateway.awaitReady(Duration.ofSeconds(60));
                AtomicLong answers = new AtomicLong();
                AtomicLong failed = new AtomicLong();
                for (int reader = 0; reader < 2; reader++) {
                    load.scheduleWithFixedDelay(() -> read(gateway, answers, failed), reader * 500L,
                            READ_EVERY.toMillis(), TimeUnit.MILLISECONDS);
                }
                // Churn: each round replaces one virt-handler pod by a new one; every third round
                // one target fails (500) and another hangs, until the next round.
                AtomicLong round = new AtomicLong();
                String[] current = new String[HANDLERS];
                for (int i = 0; i < HANDLERS; i++) {
                    current[i] = "virt-handler-" + i + "-0";
                }
                load.scheduleWithFixedDelay(() -> {
                    long r = round.incrementAndGet();
                    int slot = (int) (r % HANDLERS);
                    client.pods().inNamespace(NS).withName(current[slot]).delete();
                    current[slot] = "virt-handler-" + slot + "-" + r;
                    client.pods().inNamespace(NS).resource(Pods.onLoopback(NS, current[slot], "virt-handler",
                            handlers.get(slot).port()))
                            .create();
                    boolean faulty = r % 3 == 0;
                    handlers.get((slot + 1) % HANDLERS).status(faulty ? 500 : 200);
                    handlers.get((slot + 2) % HANDLERS).delay(faulty ? Duration.ofSeconds(30) : Duration.ZERO);
                }, CHURN_EVERY.toMillis(), CHURN_EVERY.toMillis(), TimeUnit.MILLISECONDS);

                List<Sample> samples = new ArrayList<>();
                long start = System.nanoTime();
                while (true) {
                    samples.add(sample(gateway, (System.nanoTime() - start) / 60e9, answers.get(), failed.get()));
                    Sample last = samples.get(samples.size() - 1);
                    System.out.printf(Locale.ROOT, "%5.1f min: heap after GC %.0f MB, RSS %.0f MB, %d threads, "
                            + "%d open files, %d answers (%d failed), %.0f scrape errors%n", last.minute(),
                            last.heapAfterGc(), last.rss(), last.threads(), last.openFiles(), last.answers(),
                            last.failedAnswers(), last.scrapeErrors());
                    if (System.nanoTime() - start >= length.toNanos()) {
                        break;
                    }
                    Thread.sleep(SAMPLE_EVERY.toMillis());
                }
                load.shutdownNow();
                write(samples, length);
            }
        } finally {
            load.shutdownNow();
            stubs.forEach(StubTarget::close);
            kubernetes.destroy();
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        // The mock API server leaves Vert.x event loops of its own running after destroy(): without
        // this, the JVM would outlive the run (a soak must stop by itself).
        System.exit(0);
    }

    private static StubTarget stub(Vertx vertx, SelfSignedCertificate tls, String body, List<StubTarget> stubs) {
        StubTarget stub = new StubTarget(vertx, () -> body, tls.certFile().toString(), tls.keyFile().toString());
        stubs.add(stub);
        return stub;
    }

    private static void read(PackagedGateway gateway, AtomicLong answers, AtomicLong failed) {
        answers.incrementAndGet();
        try {
            HttpResponse<String> response = gateway.send(gateway.request("/metrics")
                    .header("X-Prometheus-Scrape-Timeout-Seconds", Integer.toString(TIMEOUT_SECONDS)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                failed.incrementAndGet();
            }
        } catch (Exception e) {
            failed.incrementAndGet();
        }
    }

    private static Sample sample(PackagedGateway gateway, double minute, long answers, long failed) throws Exception {
        long pid = gateway.process().pid();
        jcmd(pid, "GC.run");
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        double heap = used.find() ? Long.parseLong(used.group(1)) / 1024.0 : Double.NaN;
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        double rss = Long.parseLong(field(status, "VmRSS").replaceAll("[^0-9]", "")) / 1024.0;
        int threads = Integer.parseInt(field(status, "Threads").strip());
        int files;
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            files = (int) fds.count();
        }
        double errors = 0;
        Matcher matcher = ERRORS.matcher(gateway.send(gateway.request("/metrics")
                .header("X-Prometheus-Scrape-Timeout-Seconds", Integer.toString(TIMEOUT_SECONDS)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        while (matcher.find()) {
            errors += Double.parseDouble(matcher.group(1));
        }
        return new Sample(minute, heap, rss, threads, files, answers, failed, errors);
    }

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst().orElseThrow()
                .substring(name.length() + 1);
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return output;
    }

    private static void write(List<Sample> samples, Duration length) throws Exception {
        Path dir = Path.of("benchmarks");
        Files.createDirectories(dir);
        plot(samples, dir.resolve("soak.png"));
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        StringBuilder md = new StringBuilder();
        md.append("# Soak\n\n```sh\n./mvnw -B -Psoak -DskipTests verify -Dsoak.minutes=").append(length.toMinutes())
                .append("\n```\n\n")
                .append("The packaged jar (its image's flags, `-Xmx256m`) scraping a simulated cluster for ")
                .append(length.toMinutes()).append(" minutes on loopback: a mock API server with virt-api, ")
                .append("virt-controller and ").append(HANDLERS).append(" virt-handlers of 150 VMs each, one ")
                .append("virt-handler pod replaced every ").append(CHURN_EVERY.toSeconds()).append(" s, and in every ")
                .append("third ").append(CHURN_EVERY.toSeconds()).append("-second round one target answering 500 and ")
                .append("another hanging past the scrape timeout; two readers ask every ")
                .append(READ_EVERY.toSeconds()).append(" s with a ").append(TIMEOUT_SECONDS)
                .append(" s timeout. Every ").append(SAMPLE_EVERY.toSeconds())
                .append(" s the gateway is made to collect garbage (`jcmd GC.run`) and sampled.\n\n")
                .append("![heap after GC, RSS, threads and open files over time](soak.png)\n\n")
                .append(String.format(Locale.ROOT, "Over the run: heap after GC %.0f → %.0f MB, RSS %.0f → %.0f MB, "
                        + "threads %d → %d, open files %d → %d; %d answers, %d not 200; %.0f failed scrapes of "
                        + "targets (the injected faults).%n%n", first.heapAfterGc(), last.heapAfterGc(), first.rss(),
                        last.rss(), first.threads(), last.threads(), first.openFiles(), last.openFiles(),
                        last.answers(), last.failedAnswers(), last.scrapeErrors()))
                .append("| minute | heap after GC | RSS | threads | open files | answers (not 200) | failed scrapes |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (i % 2 == 0 || i == samples.size() - 1) { // One row a minute.
                md.append(String.format(Locale.ROOT, "| %.1f | %.0f MB | %.0f MB | %d | %d | %d (%d) | %.0f |%n",
                        s.minute(), s.heapAfterGc(), s.rss(), s.threads(), s.openFiles(), s.answers(),
                        s.failedAnswers(), s.scrapeErrors()));
            }
        }
        md.append("\nMachine: ").append(Runtime.getRuntime().availableProcessors()).append(" vCPU, ")
                .append(String.format(Locale.ROOT, "%.0f GiB", Machine.totalMemoryGiB())).append(", ")
                .append(System.getProperty("os.name")).append(", Java ").append(System.getProperty("java.version"))
                .append(". Date: ").append(LocalDate.now()).append(".\n");
        Files.writeString(dir.resolve("soak.md"), md);
    }

    /** Four panels, one per figure, against minutes. */
    private static void plot(List<Sample> samples, Path file) throws Exception {
        double[] minutes = samples.stream().mapToDouble(Sample::minute).toArray();
        Chart.write(List.of(
                panel("heap after GC (MB)", minutes, samples, Sample::heapAfterGc),
                panel("resident memory (MB)", minutes, samples, Sample::rss),
                panel("threads", minutes, samples, Sample::threads),
                panel("open files", minutes, samples, Sample::openFiles)), file);
    }

    private static Chart.Panel panel(String title, double[] minutes, List<Sample> samples,
            ToDoubleFunction<Sample> value) {
        return new Chart.Panel(title, "minutes", false, List.of(new Chart.Line(title, minutes,
                samples.stream().mapToDouble(value).toArray())));
    }
}
