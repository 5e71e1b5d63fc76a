package io.kubevirt.metrics.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubevirt.metrics.gateway.testing.Promtool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** {@code kubectl kustomize} (kustomize v5) of a folder under kubernetes/. */
public final class Kustomize {
    public static final Path KUBERNETES = Path.of("kubernetes");

    private Kustomize() {
    }

    static String build(String folder) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Promtool.binary("kubectl"), "kustomize", KUBERNETES.resolve(folder)
                .toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), "kubectl kustomize " + folder + " failed");
        return output;
    }
}
