package io.kubevirt.metrics.gateway.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The packaged gateway as a process: the native executable when one was built (-Dnative), else
 * the jar of target/quarkus-app. Configured with system properties; stopped on close.
 */
public final class PackagedGateway implements AutoCloseable {
    private static final int STARTS = 3;

    private final Map<String, String> config;
    private final List<String> options;
    private final Path log;
    private Process process;
    private int port;
    private int starts;

    private PackagedGateway(Map<String, String> config, List<String> options, Path log) {
        this.config = config;
        this.options = options;
        this.log = log;
    }

    public static PackagedGateway start(Map<String, String> config) throws IOException {
        return start(config, List.of());
    }

    /** With options for the JVM or native executable too ({@code -Xmx256m}). */
    public static PackagedGateway start(Map<String, String> config, List<String> options) throws IOException {
        PackagedGateway gateway = new PackagedGateway(config, options, Files.createTempFile("gateway", ".log"));
        gateway.launch();
        return gateway;
    }

    /** True when the build made a native executable (-Dnative): that is what the tests then run. */
    public static boolean isNative() {
        return Files.isExecutable(nativeExecutable());
    }

    private static Path nativeExecutable() {
        return Path.of(System.getProperty("native.image.path", "target/none-runner"));
    }

    private void launch() throws IOException {
        port = PrometheusServer.freePort();
        starts++;
        List<String> command = new ArrayList<>();
        Path nativeExecutable = nativeExecutable();
        if (Files.isExecutable(nativeExecutable)) {
            command.add(nativeExecutable.toString());
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        command.addAll(options);
        command.add("-Dquarkus.http.ssl-port=" + port);
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!Files.isExecutable(nativeExecutable)) {
            command.add("-jar");
            command.add("target/quarkus-app/quarkus-run.jar");
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The process, for measurements. */
    public ProcessHandle process() {
        return process.toHandle();
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Waits for /q/health/ready to answer 200. */
    public void awaitReady(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                // Another process took the port between our check and the gateway's bind: once more.
                if (starts < STARTS && log().contains("already in use")) {
                    launch();
                    continue;
                }
                throw new IllegalStateException("the gateway exited:\n" + log());
            }
            try {
                if (get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the gateway did not get ready:\n" + log());
            }
            Thread.sleep(250);
        }
    }

    /** Waits for the process to end by itself; its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the gateway is still running:\n" + log());
        }
        return process.exitValue();
    }

    /** GET over HTTPS, trusting any certificate (the tests check TLS elsewhere). */
    public HttpResponse<String> get(String path) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create("https://" + address() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        log.toFile().delete();
    }
}
