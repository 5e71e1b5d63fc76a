package io.kubevirt.metrics.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.Expositions;
import io.kubevirt.metrics.gateway.testing.PackagedGateway;
import io.kubevirt.metrics.gateway.testing.PrometheusServer;
import io.kubevirt.metrics.gateway.testing.Promtool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The built-in demo as a user runs it: the packaged gateway (the jar, or the native executable with
 * -Dnative) with -Dquarkus.profile=demo, no cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoIT {
    private PackagedGateway gateway;
    private int plainPort;

    @BeforeAll
    void start() throws Exception {
        plainPort = PrometheusServer.freePort();
        gateway = PackagedGateway.start(Map.of("quarkus.http.port", Integer.toString(plainPort)),
                List.of("-Dquarkus.profile=demo"));
        gateway.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private String metrics() throws Exception {
        var response = gateway.get("/metrics");
        assertEquals(200, response.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", response.headers().firstValue("Content-Type")
                .orElse(""));
        return response.body();
    }

    @Test
    void servesAllFourPodsMergedAndValid() throws Exception {
        String metrics = metrics();
        Expositions.checkValid(metrics);
        Promtool.checkMetrics(metrics);
        assertEquals(1, Expositions.lines(metrics, "# TYPE rest_client_requests_total ").size());
        Set<String> components = Expositions.lines(metrics, "rest_client_requests_total{").stream()
                .map(l -> l.replaceAll(".*kubevirt_io=\"([^\"]*)\".*", "$1")).collect(Collectors.toSet());
        assertEquals(Set.of("virt-api", "virt-controller", "virt-handler"), components);
        assertEquals(4, Expositions.lines(metrics, "up{").stream().filter(l -> l.endsWith("} 1")).count());
        for (String code : List.of("404", "500", "<error>")) {
            assertTrue(metrics.contains("rest_client_requests_total{code=\"" + code + "\""), code);
        }
        assertTrue(gateway.get("/q/health/ready").body().contains("\"status\": \"UP\""));
    }

    @Test
    void errorCountersChangeOverTime() throws Exception {
        String before = String.join("\n", Expositions.lines(metrics(), "rest_client_requests_total{code=\"404\""));
        Thread.sleep(6000); // 404s grow at 0.2/s per series in the demo: at least one more in 6 s.
        String after = String.join("\n", Expositions.lines(metrics(), "rest_client_requests_total{code=\"404\""));
        assertTrue(!before.isEmpty() && !before.equals(after), before + "\n---\n" + after);
    }

    @Test
    void plainHttpGetsNoMetrics() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer;
            try {
                answer = new String(in.readNBytes(4096), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                answer = ""; // The TLS listener dropped the connection.
            }
            assertTrue(!answer.contains("rest_client_requests_total"), answer);
        }
        // There is no plain-HTTP listener beside the HTTPS one, not even on the configured HTTP port.
        assertThrows(IOException.class, () -> new Socket("127.0.0.1", plainPort).close());
    }
}
