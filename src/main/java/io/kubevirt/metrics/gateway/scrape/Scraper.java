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
import io.vertx.core.net.JdkSSLEngineOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Scrapes targets with one non-blocking Vert.x HTTP client (one connection pool, keep-alive, gzip)
 * the way Prometheus does: the same Accept, Accept-Encoding and
 * X-Prometheus-Scrape-Timeout-Seconds headers, a deadline for the whole exchange, and a bound on
 * the (decompressed) body. Thread safe; never blocks; completes on a Vert.x event loop.
 */
@Startup // Created at start, so that a bad file or certificate stops the gateway there.
@ApplicationScoped
public class Scraper {
    static final String USER_AGENT = "kubevirt-metrics-gateway";
    private static final byte[] EMPTY = new byte[0];
    private static final int INFLATE_INPUT_BUFFER = 64 * 1024;

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
    /** Each target's last body sizes: the next body's buffers start that big instead of doubling up to them. */
    private final Map<String, BodySizes> lastBodySizes = new ConcurrentHashMap<>();

    /** A body's size as received (compressed or not) and as decoded. */
    private record BodySizes(int received, int decoded) {
        static final BodySizes NONE = new BodySizes(0, 0);
    }

    public Scraper(Vertx vertx, GatewayConfig config, MemoryBudget budget) {
        this.vertx = vertx;
        this.budget = budget;
        GatewayConfig.ScrapeTls tls = config.scrape().tls();
        this.bodySizeLimit = config.scrape().bodySizeLimit().asLongValue();
        this.serverName = tls.serverName().orElse(null);
        HttpClientOptions options = new HttpClientOptions()
                .setName("kubevirt-metrics-gateway-scraper")
                .setKeepAlive(true)
                .setMaxPoolSize(4)
                .setConnectTimeout((int) config.scrape().timeout().toMillis())
                // As the HTTPS endpoint (expose/PooledTlsBuffers): without, each request's TLS
                // record gets a new 16 KB buffer, and each record received one more.
                .setSslEngineOptions(new JdkSSLEngineOptions().setPooledHeapBuffers(true));
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

    /** Forgets what it remembers of targets that are gone, and drops their spare buffers. */
    public void retain(Set<String> urls) {
        lastBodySizes.keySet().retainAll(urls);
        lastTlsWarning.keySet().retainAll(urls);
        budget.retain(urls);
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
                .putHeader("Accept-Encoding", "gzip")
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
        final MemoryBudget.Lease memory;
        final BodySizes last;
        byte[] body;
        int length;
        /** The buffer of the target's last body, for this one's (see {@link #resize}); null once used or dropped. */
        private byte[] spare;

        /**
         * The body's buffer starts at the target's last size and an eighth, so that it rarely
         * grows; an uncompressed answer's Content-Length sizes it exactly.
         */
        Exchange(ScrapeTarget target, CompletableFuture<ScrapeResult> result) {
            this.target = target;
            this.result = result;
            this.memory = budget.lease(target.url());
            this.last = lastBodySizes.getOrDefault(target.url(), BodySizes.NONE);
            spare = memory.takeSpare();
            body = EMPTY;
            resize(startSize(last.received()), last.received());
        }

        void read(HttpClientResponse response) {
            // Also receives the reset that fail() causes; after the first failure it does nothing.
            response.exceptionHandler(this::fail);
            if (response.statusCode() != 200) {
                fail(ScrapeResult.Failure.HTTP_STATUS, "HTTP status " + response.statusCode());
                return;
            }
            String encoding = response.getHeader("Content-Encoding");
            boolean gzip = "gzip".equalsIgnoreCase(encoding);
            if (encoding != null && !gzip && !"identity".equalsIgnoreCase(encoding)) {
                fail(ScrapeResult.Failure.PARSE, "unsupported Content-Encoding \"" + encoding + "\" (gzip was asked for)");
                return;
            }
            String contentLength = response.getHeader("Content-Length");
            if (contentLength != null && !gzip) {
                try {
                    long size = Long.parseLong(contentLength.trim());
                    if (size > bodySizeLimit) {
                        fail(ScrapeResult.Failure.BODY_SIZE_LIMIT, "body of " + size + " bytes, larger than "
                                + bodySizeLimit);
                        return;
                    }
                    if (size > body.length && !resize(size, size)) {
                        return;
                    }
                } catch (NumberFormatException e) {
                    // Not a length: read the body as it comes.
                }
            }
            response.handler(this::append);
            response.endHandler(v -> end(gzip, response.getHeader("Content-Type")));
        }

        /**
         * The body is in. Synchronized, like {@link #append} and {@link #fail}, because the deadline's
         * timer may fail the exchange from another thread meanwhile.
         */
        private synchronized void end(boolean gzip, String contentType) {
            if (done.get()) {
                return;
            }
            int received = length;
            if (gzip && !decompress()) {
                return;
            }
            done.set(true);
            vertx.cancelTimer(timer);
            dropSpare();
            lastBodySizes.put(target.url(), new BodySizes(received, length));
            complete(new ScrapeResult(target, body, length, contentType, seconds(), null, null, memory));
        }

        private synchronized void append(Buffer chunk) {
            if (done.get() || body == null) {
                return; // Failed (timed out, over a limit) while the body was still coming.
            }
            int n = chunk.length();
            if (length + (long) n > bodySizeLimit) {
                failOverLimit();
                return;
            }
            if (length + n > body.length && !resize(Math.max(body.length * 2L, length + n), length + n)) {
                return;
            }
            chunk.getBytes(0, n, body, length);
            length += n;
        }

        /** A buffer for a body whose last one had {@code lastSize} bytes: that and an eighth, at least 16 KiB. */
        private static long startSize(int lastSize) {
            return Math.max(16 * 1024, lastSize + lastSize / 8L);
        }

        private void failOverLimit() {
            fail(ScrapeResult.Failure.BODY_SIZE_LIMIT, "body larger than " + bodySizeLimit + " bytes");
        }

        /**
         * Replaces the gzip-compressed body by its decompressed bytes, in a buffer of the target's
         * last size (or the size the gzip trailer tells) and growing from there, within the body
         * size limit and the memory budget. Done at once when the body is in: inflating is fast
         * (gigabytes a second), faster than handing the body over in pieces, and the compressed
         * body is small. False when the exchange failed.
         */
        private boolean decompress() {
            byte[] compressed = body;
            int compressedLength = length;
            body = EMPTY;
            length = 0;
            // The stream hands zlib its input a buffer at a time: with the default 512 bytes, a
            // native call for every few kilobytes out, 100 bodies of 740 KB took 30-40% longer.
            int inputBuffer = Math.max(1, Math.min(compressedLength, INFLATE_INPUT_BUFFER));
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed, 0, compressedLength),
                    inputBuffer)) {
                // Deflate inflates at most 1032-fold: a larger size in the trailer is corrupt.
                long told = Math.min(trailerSize(compressed, compressedLength), compressedLength * 1032L);
                if (!resize(Math.max(startSize(last.decoded()), told), Math.max(told, last.decoded()))) {
                    return false;
                }
                while (true) {
                    length += in.readNBytes(body, length, body.length - length);
                    int next = length < body.length ? -1 : in.read();
                    if (next < 0) {
                        return true;
                    }
                    if (length >= bodySizeLimit) {
                        failOverLimit();
                        return false;
                    }
                    if (!resize(Math.max(body.length * 2L, length + 1L), length + 1L)) {
                        return false;
                    }
                    body[length++] = (byte) next;
                }
            } catch (IOException e) {
                fail(ScrapeResult.Failure.PARSE, "invalid gzip body: " + e.getMessage());
                return false;
            } finally {
                memory.shrink(compressed.length);
            }
        }

        /**
         * Gives the body a buffer of {@code size} bytes (at most the body size limit), within the
         * memory budget, which counts both buffers while the body is copied from the old to the new.
         * The spare serves instead when it holds the bytes known to be {@code needed} (never fewer
         * than the body holds already) and is at most twice {@code size}: then it is most likely
         * the buffer the body will end in (of a decompressed body, not of the compressed one), and
         * it wastes at most half of itself.
         */
        private boolean resize(long size, long needed) {
            int capacity = (int) Math.min(size, bodySizeLimit);
            byte[] next;
            if (spare != null && spare.length >= needed && spare.length <= 2L * capacity) {
                next = spare;
                spare = null;
            } else if (memory.grow(capacity) || dropSpare() && memory.grow(capacity)) {
                next = new byte[capacity];
            } else {
                warnBudget(target, capacity);
                fail(ScrapeResult.Failure.MEMORY_BUDGET, "a body buffer of " + capacity + " bytes would take the bodies"
                        + " in memory over gateway.scrape.memory-budget=" + budget.limit() + " bytes");
                return false;
            }
            System.arraycopy(body, 0, next, 0, length);
            memory.shrink(body.length);
            body = next;
            return true;
        }

        /** Gives the spare's room back, if this exchange still holds it; false when it did not. */
        private boolean dropSpare() {
            if (spare == null) {
                return false;
            }
            memory.shrink(spare.length);
            spare = null;
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
            spare = null;
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

        synchronized void fail(ScrapeResult.Failure failure, String message) {
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

    /**
     * The uncompressed size a gzip body's trailer gives (ISIZE, RFC 1952: the size modulo 2^32 of
     * its last member, so a hint only), or 0.
     */
    static long trailerSize(byte[] gzip, int length) {
        if (length < 18) {
            return 0;
        }
        return (gzip[length - 4] & 0xffL) | (gzip[length - 3] & 0xffL) << 8 | (gzip[length - 2] & 0xffL) << 16
                | (gzip[length - 1] & 0xffL) << 24;
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
