package io.kubevirt.metrics.gateway.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.config.SelfSignedCertificate;
import io.kubevirt.metrics.gateway.testing.CasePods;
import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readers that read slowly, in the artifact that ships, at a scale CI affords: 60 virt-handlers of
 * 600 KB each, with a memory budget that holds one gather's bodies but not two. A reader at
 * 50 KB/s would hold its gather's bodies for twelve minutes; instead it is cut off when a newer
 * gather needs their room, or at its deadline, and every other reader gets every target.
 */
class SlowReaderIT {
    private static final int PODS = 60;
    private final SelfSignedCertificate tls = SelfSignedCertificate.generate();
    private CasePods pods;

    @AfterEach
    void stop() {
        pods.close();
    }

    private PackagedGateway start() throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < PODS; i++) {
            bodies.add(MemoryIT.body("node-" + i, 600 << 10).getBytes(StandardCharsets.UTF_8));
        }
        pods = new CasePods(bodies, "text/plain; version=0.0.4; charset=utf-8", tls);
        return PackagedGateway.startWithFileTargets(pods.fileTargets(), tls, Map.of("gateway.scrape.memory-budget",
                "54M"), List.of("-Xmx256m"));
    }

    /**
     * A reader of /metrics at about 50 KB/s on its own connection (no gzip, so the answer is as
     * big as the bodies); told to {@link #drain}, it reads on at full speed until the connection
     * ends (closed by the gateway, or the answer complete), bounded by two minutes in all.
     */
    private static final class SlowReader {
        private final CompletableFuture<Long> read;
        private volatile boolean drain;
        private volatile long total;

        SlowReader(PackagedGateway gateway, String scrapeTimeoutSeconds) throws IOException {
            Socket plain = new Socket();
            plain.setReceiveBufferSize(8 << 10);
            plain.connect(new InetSocketAddress("127.0.0.1", gateway.port()), 5000);
            SSLSocket socket = (SSLSocket) PackagedGateway.trustingContext().getSocketFactory()
                    .createSocket(plain, "localhost", gateway.port(), true);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Prometheus-Scrape-Timeout-Seconds: "
                    + scrapeTimeoutSeconds + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            read = CompletableFuture.supplyAsync(() -> {
                long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                byte[] buffer = new byte[5 << 10];
                try (socket) {
                    for (int n = 0; n >= 0 && System.nanoTime() < end; ) {
                        n = in.read(buffer);
                        total += Math.max(0, n); // Only this thread writes it.
                        if (!drain) {
                            TimeUnit.MILLISECONDS.sleep(100); // 5 KB a tenth of a second: its pace.
                        }
                    }
                } catch (IOException e) {
                    // Reset by the gateway: cut off.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return total;
            });
        }

        /** True once the answer has started to come. */
        boolean reading() {
            return total > 0;
        }

        /** The bytes read so far. */
        long read() {
            return total;
        }

        /**
         * Reads what is still in flight at full speed: the bytes read in all once the connection
         * ended, or -1 when it did not end within {@code timeout}.
         */
        long drain(Duration timeout) {
            drain = true;
            return read.completeOnTimeout(-1L, timeout.toMillis(), TimeUnit.MILLISECONDS).join();
        }
    }

    private static long up(String answer) {
        return Expositions.lines(answer, "up{").stream().filter(l -> l.endsWith("} 1")).count();
    }

    private static String aborted(String answer, String reason) {
        List<String> lines = Expositions.lines(answer, "kubevirt_metrics_gateway_answers_aborted_total{reason=\""
                + reason + "\"}");
        assertEquals(1, lines.size(), () -> answer.substring(0, Math.min(answer.length(), 2000)));
        return lines.get(0).split(" ")[1];
    }

    @Test
    void slowReadersDoNotTakeTheNextGathersMemory() throws Exception {
        try (PackagedGateway gateway = start()) {
            assertEquals(PODS, up(gateway.get("/metrics").body()), gateway::log);
            SlowReader first = new SlowReader(gateway, "60");
            SlowReader second = new SlowReader(gateway, "60");
            await().atMost(Duration.ofSeconds(30)).until(() -> first.reading() && second.reading());
            String last = "";
            for (int gather = 0; gather < 4; gather++) {
                String answer = gateway.get("/metrics").body();
                assertEquals(PODS, up(answer), () -> Expositions.lines(answer, "kubevirt_metrics_gateway_scrape_errors")
                        + gateway.log());
                last = answer;
            }
            // Both were cut off, long before they could have read their 36 MB at 50 KB/s.
            for (SlowReader reader : List.of(first, second)) {
                long read = reader.drain(Duration.ofSeconds(30));
                assertTrue(read > 0 && read < 30 << 20, () -> "read " + read + "\n" + gateway.log());
            }
            assertTrue(Double.parseDouble(aborted(last, "memory")) >= 2, last);
            assertTrue(gateway.log().contains("a gather needed the memory held by an older answer"), gateway.log());
            assertTrue(gateway.process().isAlive());
        }
    }

    @Test
    void aReaderPastItsDeadlineIsCutOffAndLetsGoOfTheBodies() throws Exception {
        try (PackagedGateway gateway = start()) {
            SlowReader reader = new SlowReader(gateway, "8"); // Its deadline: 8 s and 5 s.
            await().atMost(Duration.ofSeconds(20)).until(() -> reader.read() > 200 << 10); // Slowly, a big answer.
            // The gateway's own meters, read without a gather (which would cut the reader off for memory).
            await().atMost(Duration.ofSeconds(60)).until(() -> aborted(gateway.get("/q/metrics").body(), "deadline")
                    .equals("1.0"));
            long read = reader.drain(Duration.ofSeconds(30));
            assertTrue(read > 0 && read < 30 << 20, () -> "read " + read + "\n" + gateway.log());
            String answer = gateway.get("/metrics").body();
            assertEquals(PODS, up(answer), answer);
            assertEquals("0.0", aborted(answer, "memory"), "its bodies were given back at the deadline");
            assertTrue(gateway.log().contains("after its request (its scrape timeout and 5 s)"), gateway.log());
        }
    }
}
