package io.kubevirt.metrics.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's package) opening a page as a person's browser would. In CI a missing
 * binary fails the test; elsewhere the test is skipped (see {@link Promtool#binary}).
 */
public final class Chromium {
    private Chromium() {
    }

    /** The page's DOM after it loaded. */
    public static String dom(String url) throws IOException, InterruptedException {
        return run(url, "--dump-dom");
    }

    /** Saves a PNG of the page as a window of the given size shows it. */
    public static void screenshot(String url, Path png, int width, int height) throws IOException, InterruptedException {
        run(url, "--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars");
        assertTrue(png.toFile().length() > 0, "no screenshot at " + png);
    }

    private static String run(String url, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Promtool.binary("chromium"), "--headless=new",
                // Root in CI has no user namespaces for the sandbox; the page is our own, on loopback.
                "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors", "--no-first-run",
                "--user-data-dir=" + java.nio.file.Files.createTempDirectory("chromium")));
        command.addAll(List.of(options));
        command.add(url);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish");
        }
        return output;
    }
}
