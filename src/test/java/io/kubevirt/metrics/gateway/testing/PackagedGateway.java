package io.kubevirt.metrics.gateway.testing;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The packaged gateway as a process: the native executable when the build made one (-Dnative),
 * else the jar of target/quarkus-app; or the artifact named. Configured with system properties;
 * killed on close (a graceful stop takes the pre-shutdown delay, and a process that hit an
 * OutOfMemoryError may ignore SIGTERM); {@link #terminate()} is the graceful way.
 */
public final class PackagedGateway implements AutoCloseable {
    private static final int STARTS = 3;
    private static final HttpClient HTTP = trustingClient();

    /** What runs: the jar on this JVM, or the native executable. */
    public enum Artifact {
        JAR, NATIVE;

        /**
         * The artifact the last build made, as Quarkus records it in target/quarkus-artifact.properties
         * (so a native executable left from an earlier build is not mistaken for this one's): NATIVE
         * with -Dnative, and the integration tests then test it; else JAR.
         */
        public static Artifact built() {
            Properties artifact = new Properties();
            try (var in = Files.newInputStream(Path.of("target", "quarkus-artifact.properties"))) {
                artifact.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("no packaged gateway: run the package phase first", e);
            }
            return "native".equals(artifact.getProperty("type")) ? NATIVE : JAR;
        }
    }

    private final Artifact artifact;
    private final Map<String, String> config;
    private final List<String> options;
    private final Path log;
    private Process process;
    private int port;
    private int starts;

    private PackagedGateway(Artifact artifact, Map<String, String> config, List<String> options, Path log) {
        this.artifact = artifact;
        this.config = config;
        this.options = options;
        this.log = log;
    }

    public static PackagedGateway start(Map<String, String> config) throws IOException {
        return start(config, List.of());
    }

    /** With options for the JVM or native executable too ({@code -Xmx256m}). */
    public static PackagedGateway start(Map<String, String> config, List<String> options) throws IOException {
        return start(Artifact.built(), config, options);
    }

    public static PackagedGateway start(Artifact artifact, Map<String, String> config, List<String> options)
            throws IOException {
        PackagedGateway gateway = new PackagedGateway(artifact, config, options,
                Files.createTempFile("gateway", ".log"));
        gateway.launch();
        return gateway;
    }

    /**
     * Starts a gateway with file_sd discovery only, of {@code targets} (file_sd YAML) in a temporary
     * file, with {@code tls} as its certificate and as its targets' CA, and {@code extra}
     * configuration; waits until it is ready.
     */
    public static PackagedGateway startWithFileTargets(String targets, SelfSignedCertificate tls,
            Map<String, String> extra, List<String> options) throws Exception {
        return startWithFileTargets(Artifact.built(), targets, tls, extra, options);
    }

    /** {@link #startWithFileTargets(String, SelfSignedCertificate, Map, List)} of a given artifact (benchmarks). */
    public static PackagedGateway startWithFileTargets(Artifact artifact, String targets, SelfSignedCertificate tls,
            Map<String, String> extra, List<String> options) throws Exception {
        Path file = Files.createTempFile("targets", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, targets);
        Map<String, String> config = new HashMap<>(Map.of(
                "gateway.discovery.kubernetes.enabled", "false",
                "gateway.discovery.file", file.toString(),
                "gateway.tls.cert-file", tls.certFile().toString(),
                "gateway.tls.key-file", tls.keyFile().toString(),
                "gateway.scrape.tls.ca-file", tls.certFile().toString()));
        config.putAll(extra);
        PackagedGateway gateway = start(artifact, config, options);
        gateway.awaitReady(Duration.ofSeconds(60));
        return gateway;
    }

    /** True when the build made a native executable (-Dnative): that is what the tests then run. */
    public static boolean isNative() {
        return Artifact.built() == Artifact.NATIVE;
    }

    /** The native executable Quarkus builds, as the build passes its path (failsafe, the load profile). */
    public static Path nativeExecutable() {
        return Path.of(System.getProperty("native.image.path", "target/none-runner"));
    }

    private void launch() throws IOException {
        port = PrometheusServer.freePort();
        starts++;
        List<String> command = new ArrayList<>();
        command.add(artifact == Artifact.NATIVE ? nativeExecutable().toString()
                : Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.add("-Dquarkus.http.ssl-port=" + port);
        config.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (artifact == Artifact.JAR) {
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
            Thread.sleep(20);
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
        return send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request to this gateway, to be completed and sent with {@link #send}. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://" + address() + path)).timeout(Duration.ofSeconds(30));
    }

    /** Sends over HTTPS, trusting any certificate. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) throws Exception {
        return HTTP.send(request, body);
    }

    /** Sends over HTTPS without waiting for the answer. */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        return HTTP.sendAsync(request, body);
    }

    /** SIGTERM, as Kubernetes stops a pod; {@link #awaitExit} waits for the end. */
    public void terminate() {
        process.destroy();
    }

    /** The certificate the gateway presents in a new TLS handshake; null when the handshake fails. */
    public X509Certificate servingCertificate() {
        try (SSLSocket socket = (SSLSocket) trustingContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            return null;
        }
    }

    private static HttpClient trustingClient() {
        return HttpClient.newBuilder().sslContext(trustingContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** TLS that trusts any server: the tests check the gateway's certificate where it matters. */
    public static SSLContext trustingContext() {
        try {
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
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
        process.destroyForcibly().waitFor();
        log.toFile().delete();
    }
}
