package io.kubevirt.metrics.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real Prometheus (Debian's binary) on a free loopback port with a configuration of ours and a
 * throw-away data directory; stopped (and its directory deleted) on close.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int STARTS = 3;

    private final Path dir;
    private Process process;
    private int port;
    private int starts;
    private final List<String> flags;
    private final String binary;

    private PrometheusServer(Path dir, String binary, List<String> flags) {
        this.dir = dir;
        this.binary = binary;
        this.flags = flags;
    }

    /** Starts Debian bookworm's Prometheus (2.42) with this configuration (YAML) and extra command-line flags; does not wait for it. */
    public static PrometheusServer start(String config, String... flags) throws IOException {
        return start(Promtool.binary("prometheus"), config, flags);
    }

    /** {@link #start(String, String...)} of Prometheus 3.5 (see {@link Promtool#prometheus3}). */
    public static PrometheusServer start3(String config, String... flags) throws IOException {
        return start(Promtool.prometheus3("prometheus"), config, flags);
    }

    private static PrometheusServer start(String binary, String config, String... flags) throws IOException {
        Path dir = Files.createTempDirectory("prometheus-test");
        Files.writeString(dir.resolve("prometheus.yml"), config);
        PrometheusServer server = new PrometheusServer(dir, binary, List.of(flags));
        server.launch();
        return server;
    }

    private void launch() throws IOException {
        port = freePort();
        starts++;
        List<String> command = new ArrayList<>(List.of(binary,
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn"));
        command.addAll(flags);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    /**
     * A free loopback port, never the same twice in this JVM. Another process can still take it
     * before it is bound: the servers started here try again on another port when that happens.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    /** True when the process exited because its port was taken, and it was started again. */
    private boolean restartedAfterPortClash() throws IOException {
        if (process.isAlive() || starts >= STARTS || !log().contains("address already in use")) {
            return false;
        }
        launch();
        return true;
    }

    /** The Prometheus process, to read its resource use. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /**
     * Waits until Prometheus knows all {@code discovered} targets (active or dropped by
     * relabeling) and has scraped every active one once. Wait one scrape interval more to be sure
     * the scrape's samples are stored.
     */
    public void awaitFirstScrapes(int discovered, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive() && !restartedAfterPortClash()) {
                throw new IllegalStateException("prometheus exited: " + log());
            }
            try {
                JsonNode data = JSON.readTree(get("/api/v1/targets?state=any")).path("data");
                JsonNode targets = data.path("activeTargets");
                boolean scraped = targets.size() + data.path("droppedTargets").size() == discovered;
                for (JsonNode target : targets) {
                    scraped &= !target.path("health").asText().equals("unknown");
                }
                if (scraped) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("prometheus did not scrape in time: " + log());
            }
            Thread.sleep(200);
        }
    }

    /** What /federate returns for every series. */
    public String federate() throws IOException, InterruptedException {
        return get("/federate?match[]=" + URLEncoder.encode("{__name__=~\".+\"}", StandardCharsets.UTF_8));
    }

    /** An instant query's result as JSON. */
    public JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode answer = JSON.readTree(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("query " + promql + " failed: " + answer);
        }
        return answer.path("data").path("result");
    }

    public String get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(pathAndQuery + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
