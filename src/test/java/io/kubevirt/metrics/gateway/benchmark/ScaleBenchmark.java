package io.kubevirt.metrics.gateway.benchmark;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.ImageFlags;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.PackagedGateway.Artifact;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The gateway against the floor and against Prometheus' /federate, on loopback only, for N
 * simulated virt-handlers (50 VMIs each, KubeVirt's series, HTTPS, gzip as client_golang sends
 * it): N = 10, 30, 100, 300 ({@code -Dscale.sizes=...}). For each N it measures
 * <ul>
 * <li>the floor: every body fetched in parallel and thrown away, plus one client fetching as
 *     many bytes as the gateway's answer over TLS;</li>
 * <li>the packaged gateway (the jar, and the native executable when the build made one) with the
 *     image's flags and the heap the manifests give it ({@code -Dscale.heap=256m} for another):
 *     latency plain and gzip, CPU per gather,
 *     peak resident memory; every answer must have all N targets up;</li>
 * <li>Prometheus (Debian's) scraping the same pods, then serving them on /federate.</li>
 * </ul>
 * It writes the table into benchmarks/README.md (between the scale markers) and plots latency and
 * peak memory against series to benchmarks/scale.png, then stops everything it started.
 * Bounded: {@link #ROUNDS} requests per measure. Run: {@code ./mvnw -B -Pscale -DskipTests verify}.
 */
public final class ScaleBenchmark {
    static final int ROUNDS = 8;
    /**
     * The warm-up runs in rounds of this many gathers until the JIT compiler has settled: its
     * threads took less than {@link #SETTLED_JIT_SHARE} of the process' CPU in two rounds in a row
     * (the native executable has none, so it stops after two rounds). At 100 nodes the jar's JIT
     * compiler took 45% of its CPU in the first ten gathers, 6-25% in each round of ten from the
     * 30th to the 100th, and 1-10% up to the 250th; a gateway serves for days, so the figures are
     * those of after.
     */
    static final int WARM_UP_ROUND = 10;
    static final double SETTLED_JIT_SHARE = 0.05;
    /** Bounds of the warm-up: settled or not, measuring starts after this many gathers or this long. */
    static final int WARM_UP_MOST = 300;
    static final Duration WARM_UP_LIMIT = Duration.ofMinutes(3);
    /** Copies of the sample's three VMs: 51 VMIs per virt-handler. */
    static final int COPIES = 17;
    static final String BEGIN = "<!-- scale:begin -->";
    static final String END = "<!-- scale:end -->";

    /** One size's figures; times in milliseconds, memory in MB. */
    record Row(int handlers, int series, double inputMb, double answerMb, double fetchAll, double fetchAnswer,
            List<GatewayFigures> gateways, double federate, double prometheusRss) {
        double floor() {
            return fetchAll + fetchAnswer;
        }
    }

    /**
     * @param cpuPerGather milliseconds of CPU per plain gather, and per gzip one (what Prometheus asks for)
     * @param cpuByThread milliseconds of CPU per plain gather by {@link GatherLoad#THREAD_GROUPS}
     * @param warmUp the gathers before measuring, and whether the JIT compiler had settled by then
     */
    record GatewayFigures(Artifact artifact, String heap, double plainP50, double plainP90, double gzipP50,
            double gzipP90, double cpuPerGather, double cpuPerGzipGather, double peakRss,
            Map<String, Double> cpuByThread, WarmUp warmUp) {
    }

    record WarmUp(int gathers, boolean settled) {
        @Override
        public String toString() {
            return gathers + (settled ? "" : " (not settled)");
        }
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("scale.sizes", "10,30,100,300").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int most = Arrays.stream(sizes).max().orElseThrow();
        Vertx vertx = Vertx.vertx();
        SelfSignedCertificate tls = SelfSignedCertificate.generate();
        List<HttpServer> pods = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        long[] plainBytes = new long[most];
        int[] series = new int[most];
        HttpClient client = null;
        try {
            HttpServerOptions serverOptions = new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile().toString())
                            .setKeyPath(tls.keyFile().toString()));
            for (int i = 0; i < most; i++) {
                byte[] body = ScaledVirtHandler.body(COPIES, "node-" + i);
                plainBytes[i] = body.length;
                series[i] = ScaledVirtHandler.series(body);
                pods.add(serve(vertx, serverOptions, Buffer.buffer(body), Buffer.buffer(gzip(body))));
                addresses.add("127.0.0.1:" + pods.get(i).actualPort());
            }
            client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setDecompressionSupported(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(tls.certFile().toString()))
                    .setVerifyHost(false).setMaxPoolSize(most).setKeepAlive(true));
            List<Artifact> artifacts = builtArtifacts();
            List<Row> rows = new ArrayList<>();
            for (int n : sizes) {
                List<String> targets = addresses.subList(0, n);
                long input = Arrays.stream(plainBytes, 0, n).sum();
                int inputSeries = Arrays.stream(series, 0, n).sum();
                System.out.printf("N=%d: %d series, %.0f MB%n", n, inputSeries, input / 1e6);
                double fetchAll = fetchAll(client, targets);
                List<GatewayFigures> gateways = new ArrayList<>();
                long[] answerBytes = {0};
                for (Artifact artifact : artifacts) {
                    gateways.add(gateway(artifact, targets, tls, client, answerBytes));
                    System.out.println("  " + gateways.get(gateways.size() - 1));
                }
                double fetchAnswer = fetchBytes(vertx, serverOptions, (int) answerBytes[0]);
                double[] prometheus = federate(targets, tls, n);
                Row row = new Row(n, inputSeries, input / 1e6, answerBytes[0] / 1e6, fetchAll, fetchAnswer,
                        gateways, prometheus[0], prometheus[1]);
                System.out.printf("  floor %.0f + %.0f ms, federate %.0f ms%n", fetchAll, fetchAnswer, row.federate());
                rows.add(row);
            }
            write(rows);
        } finally {
            if (client != null) {
                client.close();
            }
            pods.forEach(HttpServer::close);
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        System.exit(0); // Stop any thread the libraries left behind.
    }

    /** The jar, and the native executable when it is not older than the jar (a stale one is left out). */
    private static List<Artifact> builtArtifacts() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        Path executable = PackagedGateway.nativeExecutable();
        boolean nativeCurrent = Files.isExecutable(executable)
                && !Files.getLastModifiedTime(executable).toInstant().isBefore(Files.getLastModifiedTime(jar).toInstant());
        return nativeCurrent ? List.of(Artifact.JAR, Artifact.NATIVE) : List.of(Artifact.JAR);
    }

    /** A pod: its body, gzipped when asked for gzip (as client_golang does; never when {@code gzipped} is null), over HTTPS. */
    private static HttpServer serve(Vertx vertx, HttpServerOptions options, Buffer plain, Buffer gzipped) {
        return vertx.createHttpServer(options).requestHandler(request -> {
            String accept = request.getHeader("Accept-Encoding");
            boolean gzip = gzipped != null && accept != null && accept.contains("gzip");
            request.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            if (gzip) {
                request.response().putHeader("Content-Encoding", "gzip");
            }
            request.response().end(gzip ? gzipped : plain);
        }).listen().toCompletionStage().toCompletableFuture().join();
    }

    private static byte[] gzip(byte[] body) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 8);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        }
        return out.toByteArray();
    }

    /** The floor's first part: every body fetched at once (gzip, decompressed) and thrown away; the median. */
    private static double fetchAll(HttpClient client, List<String> targets) {
        return median(() -> {
            List<Future<Buffer>> bodies = new ArrayList<>();
            for (String target : targets) {
                String[] hostPort = target.split(":");
                bodies.add(client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(hostPort[0])
                                .setPort(Integer.parseInt(hostPort[1])).setURI("/metrics")
                                .putHeader("Accept-Encoding", "gzip"))
                        .compose(request -> request.send().compose(response -> response.body())));
            }
            Future.all(bodies).toCompletionStage().toCompletableFuture().join();
        });
    }

    /** The floor's second part: as many bytes as the gateway's answer, fetched over TLS by the same client as the gateway's. */
    private static double fetchBytes(Vertx vertx, HttpServerOptions options, int size) throws Exception {
        Buffer answer = Buffer.buffer(new byte[size]);
        HttpServer server = serve(vertx, options, answer, null);
        try {
            double[] times = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                times[i] = curl("https://127.0.0.1:" + server.actualPort() + "/metrics", false);
            }
            return GatherLoad.percentile(times, 50);
        } finally {
            server.close();
        }
    }

    private static GatewayFigures gateway(Artifact artifact, List<String> targets, SelfSignedCertificate tls,
            HttpClient client, long[] answerBytes) throws Exception {
        StringBuilder fileSd = new StringBuilder();
        for (int i = 0; i < targets.size(); i++) {
            fileSd.append("- targets: ['").append(targets.get(i)).append("']\n  labels: {pod: virt-handler-")
                    .append(i).append(", namespace: kubevirt, kubevirt_io: virt-handler}\n");
        }
        String heap = System.getProperty("scale.heap", "").isBlank() ? ImageFlags.manifestHeap(artifact)
                : System.getProperty("scale.heap");
        try (PackagedGateway gateway = PackagedGateway.startWithFileTargets(artifact, fileSd.toString(), tls,
                Map.of("gateway.scrape.timeout", "30s"), ImageFlags.withHeap(artifact, heap))) {
            String url = "https://127.0.0.1:" + gateway.port() + "/metrics";
            answerBytes[0] = check(fetch(client, gateway, false), targets.size()).length();
            WarmUp warmUp = warmUp(gateway, url);
            double[] plain = new double[ROUNDS];
            long cpuBefore = GatherLoad.cpuNanos(gateway);
            Map<String, Long> threadsBefore = GatherLoad.cpuByThread(gateway.process());
            for (int i = 0; i < ROUNDS; i++) {
                plain[i] = curl(url, false);
            }
            double cpu = (GatherLoad.cpuNanos(gateway) - cpuBefore) / 1e6 / ROUNDS;
            Map<String, Double> cpuByThread = new LinkedHashMap<>();
            GatherLoad.cpuByThread(gateway.process()).forEach((group, nanos) ->
                    cpuByThread.put(group, (nanos - threadsBefore.get(group)) / 1e6 / ROUNDS));
            double[] gzip = new double[ROUNDS];
            cpuBefore = GatherLoad.cpuNanos(gateway);
            for (int i = 0; i < ROUNDS; i++) {
                gzip[i] = curl(url, true);
            }
            double gzipCpu = (GatherLoad.cpuNanos(gateway) - cpuBefore) / 1e6 / ROUNDS;
            check(fetch(client, gateway, true), targets.size()); // Still complete, and valid gzip.
            return new GatewayFigures(artifact, heap, GatherLoad.percentile(plain, 50), GatherLoad.percentile(plain, 90),
                    GatherLoad.percentile(gzip, 50), GatherLoad.percentile(gzip, 90), cpu, gzipCpu,
                    GatherLoad.memory(gateway.process(), "VmHWM"), cpuByThread, warmUp);
        }
    }

    /** Gathers until the JIT compiler has settled or a bound is reached (see {@link #WARM_UP_ROUND}). */
    private static WarmUp warmUp(PackagedGateway gateway, String url) throws Exception {
        long until = System.nanoTime() + WARM_UP_LIMIT.toNanos();
        int gathers = 1; // The one that checked the answer.
        int quietRounds = 0;
        while (quietRounds < 2 && gathers + WARM_UP_ROUND <= WARM_UP_MOST && System.nanoTime() < until) {
            long cpu = GatherLoad.cpuNanos(gateway);
            long jit = GatherLoad.cpuByThread(gateway.process()).get("JIT");
            for (int i = 0; i < WARM_UP_ROUND; i++) {
                curl(url, i % 2 == 1); // Both paths get compiled: plain and gzip alternate.
            }
            gathers += WARM_UP_ROUND;
            double share = (double) (GatherLoad.cpuByThread(gateway.process()).get("JIT") - jit)
                    / (GatherLoad.cpuNanos(gateway) - cpu);
            quietRounds = share < SETTLED_JIT_SHARE ? quietRounds + 1 : 0;
        }
        return new WarmUp(gathers, quietRounds == 2);
    }

    /**
     * Milliseconds curl takes to fetch and discard the answer (HTTP/1.1; with gzip it decompresses,
     * as Prometheus does). curl, OpenSSL and zlib stand in for Prometheus' Go client: the Vert.x
     * client, which reads a chunked answer in small pieces, makes the server work harder than they do.
     */
    static double curl(String url, boolean gzip) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-skf", "--http1.1", "-o", "/dev/null", "-w",
                "%{time_total}", url));
        if (gzip) {
            command.add("--compressed");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("curl " + url + " failed: " + out);
        }
        return Double.parseDouble(out.trim()) * 1000;
    }

    /** The gateway's answer (text format), asking for gzip or not, to check it. */
    private static Buffer fetch(HttpClient client, PackagedGateway gateway, boolean gzip) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
                .setPort(gateway.port()).setURI("/metrics").putHeader("Accept-Encoding", gzip ? "gzip" : "identity");
        return client.request(request).compose(r -> r.send().compose(response -> response.statusCode() == 200
                        ? response.body() : Future.failedFuture("answer " + response.statusCode())))
                .toCompletionStage().toCompletableFuture().join();
    }

    /** The answer, after checking that it is complete: every target up. */
    private static Buffer check(Buffer answer, int targets) {
        long up = answer.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("up{") && l.endsWith("} 1")).count();
        if (up != targets) {
            throw new IllegalStateException("answer with " + up + " of " + targets + " targets up");
        }
        return answer;
    }

    /** Prometheus scraping the pods, then the median time of a /federate of everything, and its peak RSS in MB. */
    private static double[] federate(List<String> targets, SelfSignedCertificate tls, int n) throws Exception {
        String config = """
                global:
                  scrape_interval: 15s
                  scrape_timeout: 10s
                scrape_configs:
                  - job_name: kubevirt
                    scheme: https
                    tls_config: {ca_file: '%s', insecure_skip_verify: true}
                    static_configs: [{targets: [%s]}]
                """.formatted(tls.certFile(), String.join(",", targets.stream().map(t -> "'" + t + "'").toList()));
        try (PrometheusServer prometheus = PrometheusServer.start(config)) {
            prometheus.awaitFirstScrapes(n, Duration.ofMinutes(5));
            Thread.sleep(2000);
            String url = prometheus.url() + "/federate?match[]="
                    + java.net.URLEncoder.encode("{__name__=~\".+\"}", java.nio.charset.StandardCharsets.UTF_8);
            curl(url, false); // Warm-up.
            double[] times = new double[ROUNDS];
            for (int i = 0; i < ROUNDS; i++) {
                times[i] = curl(url, false);
            }
            double time = GatherLoad.percentile(times, 50);
            return new double[] {time, GatherLoad.memory(prometheus.process(), "VmHWM")};
        }
    }

    private static double median(Runnable work) {
        work.run(); // Warm-up.
        double[] times = new double[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            long start = System.nanoTime();
            work.run();
            times[i] = (System.nanoTime() - start) / 1e6;
        }
        return GatherLoad.percentile(times, 50);
    }

    private static void write(List<Row> rows) throws Exception {
        StringBuilder table = new StringBuilder();
        table.append(BEGIN).append('\n');
        table.append(String.format(Locale.ROOT, "Measured %s on %s with `./mvnw -B -Pscale -DskipTests verify`; "
                + "times are medians of %d requests.%n%n", LocalDate.now(), Machine.describe(), ROUNDS));
        table.append("| virt-handlers | series | fetched | answer | floor | artifact (heap) | plain p50 / p90 | gzip p50 / p90 "
                + "| CPU per gather plain / gzip | peak RSS | gateway / floor | gzip / plain | /federate "
                + "| federate / gateway "
                + "| Prometheus peak RSS |\n");
        table.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Row row : rows) {
            for (GatewayFigures g : row.gateways()) {
                table.append(String.format(Locale.ROOT, "| %d | %,d | %.0f MB | %.0f MB | %.0f ms | %s (%s) | %.0f / %.0f ms "
                                + "| %.0f / %.0f ms | %.0f / %.0f ms | %.0f MB | %.2f | %.2f | %.0f ms | %.1f | %.0f MB |%n",
                        row.handlers(), row.series(), row.inputMb(), row.answerMb(), row.floor(),
                        g.artifact().name().toLowerCase(Locale.ROOT), g.heap(), g.plainP50(), g.plainP90(), g.gzipP50(),
                        g.gzipP90(), g.cpuPerGather(), g.cpuPerGzipGather(), g.peakRss(), g.plainP50() / row.floor(),
                        g.gzipP50() / g.plainP50(),
                        row.federate(), row.federate() / g.plainP50(), row.prometheusRss()));
            }
        }
        table.append("\nCPU per plain gather by thread (ms; event loops: HTTP both ways, TLS and the scrapes' gzip; "
                + "read, merge: the gather pool; GC and JIT: HotSpot's own threads, while the native executable "
                + "collects in the thread that allocates):\n\n");
        table.append("| virt-handlers | artifact | warm-up gathers | ")
                .append(String.join(" | ", GatherLoad.THREAD_GROUPS))
                .append(" |\n|").append(" --- |".repeat(3 + GatherLoad.THREAD_GROUPS.size())).append('\n');
        for (Row row : rows) {
            for (GatewayFigures g : row.gateways()) {
                table.append(String.format(Locale.ROOT, "| %d | %s | %s |", row.handlers(),
                        g.artifact().name().toLowerCase(Locale.ROOT), g.warmUp()));
                GatherLoad.THREAD_GROUPS.forEach(group -> table.append(String.format(Locale.ROOT, " %.0f |",
                        g.cpuByThread().get(group))));
                table.append('\n');
            }
        }
        table.append("\n![Latency and peak memory against series](scale.png)\n").append(END);
        Path readme = Path.of("benchmarks/README.md");
        String text = Files.readString(readme);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        text = begin >= 0 && end > begin ? text.substring(0, begin) + table + text.substring(end + END.length())
                : text + "\n## Scale: the gateway against the floor and /federate\n\n" + table + "\n";
        Files.writeString(readme, text);
        ScaleChart.write(rows, Path.of("benchmarks/scale.png"));
        System.out.println(table);
    }
}
