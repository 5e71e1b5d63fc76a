package io.kubevirt.metrics.gateway.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.testing.StubTarget;
import io.kubevirt.metrics.gateway.testing.TestConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scrape client against stub HTTPS targets on 127.0.0.1: what it sends, and every way a scrape fails. */
class ScraperTest {
    /** Larger than the first buffer (16 KiB): the body buffer grows. */
    private static final String BODY = "# TYPE up gauge\nup 1\n".repeat(2000);
    private static SelfSignedCertificate certificate;
    private static Vertx vertx;
    private StubTarget stub;

    @BeforeAll
    static void start() {
        certificate = SelfSignedCertificate.generate();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @AfterEach
    void closeStub() {
        if (stub != null) {
            stub.close();
        }
    }

    private StubTarget stub(String body) {
        stub = new StubTarget(vertx, () -> body, certificate.certFile().toString(), certificate.keyFile().toString());
        return stub;
    }

    private ScrapeResult scrape(StubTarget target, Map<String, String> config, Duration timeout) {
        Map<String, String> all = new HashMap<>(Map.of("gateway.scrape.tls.ca-file", certificate.certFile().toString()));
        all.putAll(config);
        Scraper scraper = new Scraper(vertx, TestConfig.of(all), new MemoryBudget(TestConfig.of(all)));
        int port = target == null ? 1 : target.port();
        return scraper.scrape(new ScrapeTarget("https://127.0.0.1:" + port + "/metrics", true, "127.0.0.1", port,
                "/metrics?x=1", Map.of()), timeout).join();
    }

    @Test
    void fetchesTheBodyWithPrometheusHeaders() {
        ScrapeResult result = scrape(stub(BODY), Map.of(), Duration.ofSeconds(5));
        assertNull(result.failure(), result.message());
        assertEquals(BODY, new String(result.body(), 0, result.length(), StandardCharsets.UTF_8));
        assertTrue(BODY.length() > 16 * 1024);
        assertEquals(ExpositionFormat.ACCEPT_HEADER, stub.lastHeaders().get("Accept"));
        assertEquals("5.000", stub.lastHeaders().get("X-Prometheus-Scrape-Timeout-Seconds"));
        assertEquals(Scraper.USER_AGENT, stub.lastHeaders().get("User-Agent"));
        assertTrue(stub.lastHeaders().get("Accept-Encoding").contains("gzip"));
    }

    @Test
    void failsOnAnUntrustedCertificateUnlessVerificationIsSkipped() {
        StubTarget target = stub(BODY);
        String otherCa = SelfSignedCertificate.generate().certFile().toString();
        ScrapeResult untrusted = scrape(target, Map.of("gateway.scrape.tls.ca-file", otherCa), Duration.ofSeconds(5));
        assertEquals(ScrapeResult.Failure.TLS, untrusted.failure(), untrusted.message());
        assertNull(scrape(target, Map.of("gateway.scrape.tls.ca-file", otherCa,
                "gateway.scrape.tls.insecure-skip-verify", "true"), Duration.ofSeconds(5)).failure());
    }

    @Test
    void checksTheHostNameUnlessToldNotTo() {
        StubTarget target = stub(BODY);
        // The certificate names localhost and 127.0.0.1: another name fails, unless only the chain is verified.
        ScrapeResult wrongName = scrape(target, Map.of("gateway.scrape.tls.server-name", "virt-handler.kubevirt.svc"),
                Duration.ofSeconds(5));
        assertEquals(ScrapeResult.Failure.TLS, wrongName.failure(), wrongName.message());
        assertNull(scrape(target, Map.of("gateway.scrape.tls.server-name", "virt-handler.kubevirt.svc",
                "gateway.scrape.tls.verify-hostname", "false"), Duration.ofSeconds(5)).failure());
        assertNull(scrape(target, Map.of("gateway.scrape.tls.server-name", "localhost"), Duration.ofSeconds(5))
                .failure());
    }

    @Test
    void failsOnABodyOverTheLimit() {
        ScrapeResult result = scrape(stub(BODY), Map.of("gateway.scrape.body-size-limit", "1K"), Duration.ofSeconds(5));
        assertEquals(ScrapeResult.Failure.BODY_SIZE_LIMIT, result.failure());
        assertEquals("body larger than 1024 bytes", result.message());
    }

    @Test
    void failsOnAStatusOtherThan200() {
        ScrapeResult result = scrape(stub(BODY).status(503), Map.of(), Duration.ofSeconds(5));
        assertEquals(ScrapeResult.Failure.HTTP_STATUS, result.failure());
        assertEquals("HTTP status 503", result.message());
    }

    @Test
    void failsWhenNothingListens() {
        assertEquals(ScrapeResult.Failure.CONNECT, scrape(null, Map.of(), Duration.ofSeconds(5)).failure());
    }

    @Test
    void failsAtTheDeadline() {
        ScrapeResult result = scrape(stub(BODY).delay(Duration.ofSeconds(3)), Map.of(), Duration.ofMillis(300));
        assertEquals(ScrapeResult.Failure.TIMEOUT, result.failure());
        assertTrue(result.durationSeconds() < 2.5, "took " + result.durationSeconds());
    }

    @Test
    void aBodysBufferServesItsTargetsNextScrapeOnceReleased() {
        StubTarget target = stub(BODY); // Gzip-compressed: received in one buffer, decompressed into another.
        Map<String, String> config = Map.of("gateway.scrape.tls.ca-file", certificate.certFile().toString());
        MemoryBudget budget = new MemoryBudget(TestConfig.of(config));
        Scraper scraper = new Scraper(vertx, TestConfig.of(config), budget);
        ScrapeTarget pod = new ScrapeTarget("https://127.0.0.1:" + target.port() + "/metrics", true, "127.0.0.1",
                target.port(), "/metrics", Map.of());
        ScrapeResult first = scraper.scrape(pod, Duration.ofSeconds(5)).join();
        ScrapeResult whileHeld = scraper.scrape(pod, Duration.ofSeconds(5)).join();
        assertTrue(first.body() != whileHeld.body(), "a body still in use is nobody's spare");
        whileHeld.releaseMemory();
        first.releaseMemory();
        assertEquals(first.body().length, budget.used(), "the last buffer released is kept, and counted");

        target.body(() -> "# TYPE up gauge\nup 0\n".repeat(2000)); // The same size, other bytes.
        ScrapeResult next = scraper.scrape(pod, Duration.ofSeconds(5)).join();
        assertTrue(first.body() == next.body(), "the spare serves");
        assertEquals("# TYPE up gauge\nup 0\n".repeat(2000), new String(next.body(), 0, next.length(),
                StandardCharsets.UTF_8));
        next.releaseMemory();

        target.body(() -> "up 1\n"); // Far smaller: the body's buffer is sized by the last one, once more.
        scraper.scrape(pod, Duration.ofSeconds(5)).join().releaseMemory();
        ScrapeResult small = scraper.scrape(pod, Duration.ofSeconds(5)).join();
        assertTrue(first.body() != small.body(), "a spare that would waste more than half of itself goes");
        assertEquals("up 1\n", new String(small.body(), 0, small.length(), StandardCharsets.UTF_8));
        small.releaseMemory();
        assertEquals(small.body().length, budget.used());

        scraper.retain(Set.of());
        assertEquals(0, budget.used(), "a target gone, its spare goes");
    }

    /** A target that answers {@code body} as is, with this Content-Encoding. */
    private ScrapeResult scrapeRaw(byte[] body, String encoding, Map<String, String> config) {
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.certFile().toString())
                                .setKeyPath(certificate.keyFile().toString())))
                .requestHandler(request -> request.response().putHeader("Content-Encoding", encoding)
                        .putHeader("Content-Type", "text/plain; version=0.0.4").end(Buffer.buffer(body)))
                .listen().toCompletionStage().toCompletableFuture().join();
        try {
            Map<String, String> all = new HashMap<>(Map.of("gateway.scrape.tls.ca-file", certificate.certFile().toString()));
            all.putAll(config);
            Scraper scraper = new Scraper(vertx, TestConfig.of(all), new MemoryBudget(TestConfig.of(all)));
            int port = server.actualPort();
            return scraper.scrape(new ScrapeTarget("https://127.0.0.1:" + port + "/metrics", true, "127.0.0.1", port,
                    "/metrics", Map.of()), Duration.ofSeconds(5)).join();
        } finally {
            server.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void decompressesGzipOfOneOrMoreMembers() {
        String second = "# TYPE b gauge\nb 2\n".repeat(5000);
        ByteArrayOutputStream twoMembers = new ByteArrayOutputStream();
        twoMembers.writeBytes(gzip(BODY));
        twoMembers.writeBytes(gzip(second));
        ScrapeResult result = scrapeRaw(twoMembers.toByteArray(), "gzip", Map.of());
        assertNull(result.failure(), result.message());
        assertEquals(BODY + second, new String(result.body(), 0, result.length(), StandardCharsets.UTF_8));
    }

    @Test
    void failsOnBrokenGzip() {
        byte[] broken = gzip(BODY);
        broken[broken.length / 2] ^= 0x55;
        ScrapeResult result = scrapeRaw(broken, "gzip", Map.of());
        assertEquals(ScrapeResult.Failure.PARSE, result.failure());
        assertTrue(result.message().startsWith("invalid gzip body: "), result.message());
    }

    @Test
    void boundsTheDecompressedBody() {
        // 40 KB that compress to a few hundred bytes: the limit holds for what they decompress to.
        ScrapeResult result = scrapeRaw(gzip(BODY), "gzip", Map.of("gateway.scrape.body-size-limit", "10K"));
        assertEquals(ScrapeResult.Failure.BODY_SIZE_LIMIT, result.failure(), result.message());
        assertEquals("body larger than 10240 bytes", result.message());
        assertNull(scrapeRaw(gzip(BODY), "gzip", Map.of("gateway.scrape.body-size-limit", "42000")).failure());
    }

    @Test
    void failsOnAnEncodingItDidNotAskFor() {
        ScrapeResult result = scrapeRaw(new byte[] {1, 2, 3}, "br", Map.of());
        assertEquals(ScrapeResult.Failure.PARSE, result.failure());
        assertEquals("unsupported Content-Encoding \"br\" (gzip was asked for)", result.message());
    }
}
