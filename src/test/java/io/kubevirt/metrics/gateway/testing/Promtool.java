package io.kubevirt.metrics.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code promtool} (Debian's prometheus package). In CI (CI=true) a missing binary
 * fails the test; on a developer machine without it the check is skipped.
 */
public final class Promtool {
    private Promtool() {
    }

    /**
     * A Debian-packaged binary the tests run (promtool, prometheus, chromium), or the test fails
     * (CI, where .ci/run installs them) or is skipped (elsewhere) when it is not installed.
     */
    public static String binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(name + " is not installed; .ci/run installs it");
        }
        assumeTrue(false, name + " is not installed (apt-get install prometheus chromium)");
        return null;
    }

    /**
     * A binary of Prometheus 3.5 (prometheus, promtool): from Debian's testing release, unpacked
     * into a folder of its own by {@code .ci/forky-packages} (never installed over bookworm's
     * 2.42). Found in {@code PROMETHEUS3_BIN} (or the system property {@code prometheus3.bin}),
     * else where {@code .ci/run} unpacks it; missing, the test fails in CI and is skipped elsewhere.
     */
    public static String prometheus3(String name) {
        String dir = System.getProperty("prometheus3.bin", System.getenv().getOrDefault("PROMETHEUS3_BIN",
                Path.of(System.getProperty("user.home"), ".cache/kubevirt-metrics-gateway/prometheus-3/root/usr/bin")
                        .toString()));
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
            return candidate.toString();
        }
        String missing = "Prometheus 3.5's " + name + " is not in " + dir
                + " (bash .ci/forky-packages DIR prometheus promtool, then PROMETHEUS3_BIN=DIR/root/usr/bin)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(missing);
        }
        assumeTrue(false, missing);
        return null;
    }

    /**
     * {@code promtool check metrics} on an exposition: exit 0 (clean) or 3 (lint warnings only)
     * pass; anything else, a parse error, fails with promtool's output.
     */
    public static void checkMetrics(String exposition) throws IOException, InterruptedException {
        Check check = check(exposition);
        assertTrue(check.exit() == 0 || check.exit() == 3, "promtool check metrics exited " + check.exit() + ":\n"
                + check.output());
    }

    /** {@code promtool check metrics} exits 0: valid, and not one lint warning. */
    public static void checkMetricsLintClean(String exposition) throws IOException, InterruptedException {
        Check check = check(exposition);
        assertEquals(0, check.exit(), "promtool check metrics:\n" + check.output());
    }

    private record Check(int exit, String output) {
    }

    private static Check check(String exposition) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary("promtool"), "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        return new Check(process.exitValue(), output);
    }
}
