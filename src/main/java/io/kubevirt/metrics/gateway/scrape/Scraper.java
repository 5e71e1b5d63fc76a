package io.kubevirt.metrics.gateway.scrape;

import io.kubevirt.metrics.gateway.config.GatewayConfig;
import io.kubevirt.metrics.gateway.config.WatchedFile;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.netty.channel.ConnectTimeoutException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Scrapes targets with one non-blocking Vert.x HTTP client (one connection pool, keep-alive, gzip)
 * the way Prometheus does: the same Accept and X-Prometheus-Scrape-Timeout-Seconds headers, a
 * deadline for the whole exchange, and a bound on the (decompressed) body. Thread safe; never
 * blocks; completes on a Vert.x event loop.
 */
@Startup // Created at start, so that a bad file or certificate stops the gateway there.
@ApplicationScoped
public class Scraper {
    static final String USER_AGENT = "kubevirt-metrics-gateway";

    private static final Logger LOG = Logger.getLogger(Scraper.class);
    /** A target's failed TLS handshakes are logged at most this often. */
    static final Duration TLS_WARNING_EVERY = Duration.ofMinutes(1);
    /** memory_budget failures are logged at most this often. */
    static final Duration BUDGET_WARNING_EVERY = Duration.ofMinutes(1);
    /** How long a connection pool replaced by new trust material lives on for the scrapes using it. */
    static final Duration OLD_POOL_GRACE = Duration.ofMinutes(2);

    private final Vertx vertx;
    private final HttpClientOptions options;
    private final TrustMaterial trust;
    private volatile HttpClient client;
    private final Map<String, Long> lastTlsWarning = new ConcurrentHashMap<>();
    private String lastTrustError;
    private final long bodySizeLimit;
    private final MemoryBudget budget;
    /** When the last memory_budget failure was logged (nanoTime), for logging at most once a minute. */
    private final AtomicLong lastBudgetWarning = new AtomicLong(System.nanoTime() - BUDGET_WARNING_EVERY.toNanos());
    private final String serverName;
    /** Each target's last body size: the next body's buffer starts that big instead of doubling up to it. */
    private final Map<String, Integer> lastBodySize = new ConcurrentHashMap<>();

    public Scraper(Vertx vertx, GatewayConfig config, MemoryBudget budget) {
        this.vertx = vertx;
        this.budget = budget;
        GatewayConfig.ScrapeTls tls = config.scrape().tls();
        this.bodySizeLimit = config.scrape().bodySizeLimit().asLongValue();
        this.serverName = tls.serverName().orElse(null);
        HttpClientOptions options = new HttpClientOptions()
                .setName("kubevirt-metrics-gateway-scraper")
                .setDecompressionSupported(true)
                .setKeepAlive(true)
                .setMaxPoolSize(4)
                .setConnectTimeout((int) config.scrape().timeout().toMillis());
        if (tls.insecureSkipVerify()) {
            options.setTrustAll(true).setVerifyHost(false);
        } else {
            options.setVerifyHost(tls.verifyHostname());
        }
        this.trust = new TrustMaterial(tls);
        try {
            trust.readInto(options);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("gateway.scrape.tls: cannot read " + trust.files() + ": " + e.getMessage(),
                    e);
        }
        this.options = options;
        this.client = vertx.createHttpClient(options);
        if (trust.watched()) {
            WatchedFile.poll(vertx, tls.refreshInterval(), this::reloadTrust);
        }
    }

    /**
     * Re-reads the CA bundle and client certificate when they changed. As Prometheus does, a new
     * connection pool takes them: kept-alive connections made under the old trust are not reused
     * (the old pool is closed once the scrapes that use it are surely over).
     */
    synchronized void reloadTrust() {
        try {
            if (trust.readInto(options)) {
                HttpClient old = client;
                client = vertx.createHttpClient(options);
                vertx.setTimer(OLD_POOL_GRACE.toMillis(), id -> old.close());
                LOG.infof("reloaded the scrape TLS material from %s", trust.files());
            }
            lastTrustError = null;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String error = e.getMessage();
            if (!String.valueOf(error).equals(lastTrustError)) {
                LOG.warnf("cannot reload the scrape TLS material (%s), keeping the last good one: %s", trust.files(),
                        error);
                lastTrustError = String.valueOf(error);
            }
        }
    }

    void close(@Observes ShutdownEvent event) {
        client.close();
    }

    /** Forgets what it remembers of targets that are gone. */
    public void retain(Set<String> urls) {
        lastBodySize.keySet().retainAll(urls);
        lastTlsWarning.keySet().retainAll(urls);
    }

    /** Scrapes one target; the future always completes normally, failures are in the result. */
    public CompletableFuture<ScrapeResult> scrape(ScrapeTarget target, Duration timeout) {
        CompletableFuture<ScrapeResult> result = new CompletableFuture<>();
        Exchange exchange = new Exchange(target, result);
        if (exchange.done.get()) {
            return result; // No room in the memory budget for even the first buffer.
        }
        long timeoutMillis = Math.max(1, timeout.toMillis());
        exchange.timer = vertx.setTimer(timeoutMillis, id -> exchange.fail(ScrapeResult.Failure.TIMEOUT,
                "no complete answer within " + timeoutMillis + "ms"));
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(target.host())
                .setPort(target.port())
                .setSsl(target.https())
                .setURI(target.pathAndQuery())
                .putHeader("Accept", ExpositionFormat.ACCEPT_HEADER)
                .putHeader("User-Agent", USER_AGENT)
                .putHeader("X-Prometheus-Scrape-Timeout-Seconds",
                        String.format(Locale.ROOT, "%.3f", timeoutMillis / 1000.0));
        if (serverName != null && target.https()) {
            // Connect to the pod's IP, but verify (and send SNI for) the name its certificate has.
            request.setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(target.port(), target.host()))
                    .setHost(serverName);
        }
        client.request(request).onComplete(ar -> {
            if (ar.failed()) {
                exchange.fail(ar.cause());
                return;
            }
            HttpClientRequest req = ar.result();
            exchange.request = req;
            if (exchange.done.get()) {
                req.reset(); // Timed out while connecting: send nothing.
                return;
            }
            req.send().onComplete(sent -> {
                if (sent.failed()) {
                    exchange.fail(sent.cause());
                } else {
                    exchange.read(sent.result());
                }
            });
        });
        return result;
    }

    /** One request and its response body, failing or completing exactly once. */
    private final class Exchange {
        final ScrapeTarget target;
        /** Null once completed: see {@link #complete}. */
        private CompletableFuture<ScrapeResult> result;
        final long start = System.nanoTime();
        final AtomicBoolean done = new AtomicBoolean();
        volatile HttpClientRequest request;
        long timer = -1;
        final MemoryBudget.Lease memory = budget.lease();
        byte[] body;
        int length;

        /**
         * The body's buffer starts at the target's last size and an eighth, so that it rarely
         * grows; an uncompressed answer's Content-Length sizes it exactly.
         */
        Exchange(ScrapeTarget target, CompletableFuture<ScrapeResult> result) {
            this.target = target;
            this.result = result;
            int last = lastBodySize.getOrDefault(target.url(), 0);
            body = new byte[0];
            resize(Math.max(16 * 1024, last + last / 8L));
        }

        void read(HttpClientResponse response) {
            // Also receives the reset that fail() causes; after the first failure it does nothing.
            response.exceptionHandler(this::fail);
            if (response.statusCode() != 200) {
                fail(ScrapeResult.Failure.HTTP_STATUS, "HTTP status " + response.statusCode());
                return;
            }
            String contentLength = response.getHeader("Content-Length");
            if (contentLength != null && response.getHeader("Content-Encoding") == null) {
                try {
                    long size = Long.parseLong(contentLength.trim());
                    if (size > bodySizeLimit) {
                        fail(ScrapeResult.Failure.BODY_SIZE_LIMIT, "body of " + size + " bytes, larger than "
                                + bodySizeLimit);
                        return;
                    }
                    if (size > body.length && !resize(size)) {
                        return;
                    }
                } catch (NumberFormatException e) {
                    // Not a length: read the body as it comes.
                }
            }
            response.handler(this::append);
            response.endHandler(v -> {
                if (done.compareAndSet(false, true)) {
                    vertx.cancelTimer(timer);
                    lastBodySize.put(target.url(), length);
                    complete(new ScrapeResult(target, body, length, response.getHeader("Content-Type"),
                            seconds(), null, null, memory));
                }
            });
        }

        private void append(Buffer chunk) {
            if (done.get() || body == null) {
                return; // Failed (timed out, over a limit) while the body was still coming.
            }
            int n = chunk.length();
            if (length + (long) n > bodySizeLimit) {
                fail(ScrapeResult.Failure.BODY_SIZE_LIMIT, "body larger than " + bodySizeLimit + " bytes");
                return;
            }
            if (length + n > body.length && !resize(Math.max(body.length * 2L, length + n))) {
                return;
            }
            chunk.getBytes(0, n, body, length);
            length += n;
        }

        /**
         * Gives the body a buffer of {@code size} bytes (at most the body size limit), within the
         * memory budget, which counts both buffers while the body is copied from the old to the new.
         */
        private boolean resize(long size) {
            int capacity = (int) Math.min(size, bodySizeLimit);
            if (!memory.grow(capacity)) {
                warnBudget(target, capacity);
                fail(ScrapeResult.Failure.MEMORY_BUDGET, "a body buffer of " + capacity + " bytes would take the bodies"
                        + " in memory over gateway.scrape.memory-budget=" + budget.limit() + " bytes");
                return false;
            }
            int old = body.length;
            body = Arrays.copyOf(body, capacity);
            memory.shrink(old);
            return true;
        }

        /**
         * Hands the result over and lets go of it and of the body: a pooled connection keeps its
         * last response's handlers, so this exchange, until its next request, and the body must
         * not live that long (a second copy of every body during the next gather).
         */
        private void complete(ScrapeResult outcome) {
            CompletableFuture<ScrapeResult> future = result;
            result = null;
            body = null;
            future.complete(outcome);
        }

        void fail(Throwable error) {
            ScrapeResult.Failure failure = classify(error);
            String message = String.valueOf(error.getMessage() == null ? error : error.getMessage());
            if (failure == ScrapeResult.Failure.TLS && !done.get()) {
                warnTls(target, message);
            }
            fail(failure, message);
        }

        void fail(ScrapeResult.Failure failure, String message) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            HttpClientRequest req = request;
            if (req != null) {
                req.reset(); // Frees the connection instead of reading a body nobody wants.
            }
            memory.release();
            complete(ScrapeResult.failed(target, seconds(), failure, message));
        }

        private double seconds() {
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Running out of the memory budget is worth a WARN with what to do, once a minute. */
    private void warnBudget(ScrapeTarget target, long size) {
        long now = System.nanoTime();
        long last = lastBudgetWarning.get();
        if (now - last >= BUDGET_WARNING_EVERY.toNanos() && lastBudgetWarning.compareAndSet(last, now)) {
            LOG.warnf("no room in the memory budget for a %d-byte body of %s: %d of %d bytes are held by bodies;"
                    + " targets fail with reason memory_budget until there is. Raise gateway.scrape.memory-budget"
                    + " and the heap with it (README: Resources and sizing)", size, target.url(), budget.used(), budget.limit());
        }
    }

    /** A failed handshake is worth a WARN (a rotated CA, a wrong server name), once a minute per target. */
    private void warnTls(ScrapeTarget target, String message) {
        long now = System.nanoTime();
        Long last = lastTlsWarning.get(target.url());
        if (last == null || now - last >= TLS_WARNING_EVERY.toNanos()) {
            lastTlsWarning.put(target.url(), now);
            LOG.warnf("TLS handshake with %s failed: %s", target.url(), message);
        }
    }

    static ScrapeResult.Failure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return ScrapeResult.Failure.TLS;
            }
            if (t instanceof ConnectException || t instanceof ConnectTimeoutException
                    || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
                return ScrapeResult.Failure.CONNECT;
            }
        }
        return ScrapeResult.Failure.OTHER;
    }
}
