package io.kubevirt.metrics.gateway.testing;

import io.kubevirt.metrics.gateway.testing.PackagedGateway.Artifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run-time flags the container images give the gateway (src/main/docker), so that tests and
 * benchmarks run what ships: the native image's ENTRYPOINT arguments, the JVM image's
 * {@code -XX} options (its collector and JAVA_OPTS_APPEND).
 */
public final class ImageFlags {
    private static final Pattern ENTRYPOINT = Pattern.compile("^ENTRYPOINT \\[(.*)]$", Pattern.MULTILINE);
    private static final Pattern JAVA_OPTS = Pattern.compile("^ENV JAVA_OPTS_APPEND=\"(.*)\"$", Pattern.MULTILINE);
    /** The collector the JVM image's run-java.sh selects instead of its default, ParallelGC. */
    private static final Pattern GC_OPTIONS = Pattern.compile("^ENV GC_CONTAINER_OPTIONS=\"(.*)\"$", Pattern.MULTILINE);

    private ImageFlags() {
    }

    /** The flags of the image that runs this artifact. */
    public static List<String> of(Artifact artifact) {
        if (artifact == Artifact.NATIVE) {
            Matcher entrypoint = match(ENTRYPOINT, "Dockerfile.native");
            List<String> words = Arrays.stream(entrypoint.group(1).split(","))
                    .map(word -> word.strip().replaceAll("^\"|\"$", "")).toList();
            return words.subList(1, words.size()); // After the executable.
        }
        String options = match(GC_OPTIONS, "Dockerfile.jvm").group(1) + " " + match(JAVA_OPTS, "Dockerfile.jvm").group(1);
        return Arrays.stream(options.split(" ")).filter(option -> option.startsWith("-XX:")).toList();
    }

    /**
     * The image's flags with a fixed heap instead of a share of the container's memory: the test
     * toolchain's native executables, like a JVM outside a container, do not see a memory limit.
     */
    public static List<String> withHeap(Artifact artifact, String heap) {
        List<String> flags = new ArrayList<>(of(artifact));
        flags.removeIf(flag -> flag.startsWith("-XX:MaximumHeapSizePercent="));
        flags.add("-Xmx" + heap);
        return flags;
    }

    /**
     * The heap the shipped manifests give this artifact: the Deployment's memory limit times the
     * image's heap share (JAVA_MAX_MEM_RATIO, or the native MaximumHeapSizePercent), as "614m".
     */
    public static String manifestHeap(Artifact artifact) {
        try {
            Matcher limit = Pattern.compile("limits:\\s*\\n\\s*memory: (\\d+)(Mi|Gi)")
                    .matcher(Files.readString(Path.of("kubernetes/base/deployment.yaml")));
            if (!limit.find()) {
                throw new IllegalStateException("kubernetes/base/deployment.yaml has no memory limit in Mi or Gi");
            }
            long mebibytes = Long.parseLong(limit.group(1)) * (limit.group(2).equals("Gi") ? 1024 : 1);
            Matcher percent = artifact == Artifact.NATIVE
                    ? match(Pattern.compile("-XX:MaximumHeapSizePercent=(\\d+)"), "Dockerfile.native")
                    : match(Pattern.compile("JAVA_MAX_MEM_RATIO=(\\d+)"), "Dockerfile.jvm");
            return mebibytes * Long.parseLong(percent.group(1)) / 100 + "m";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Matcher match(Pattern pattern, String dockerfile) {
        try {
            Matcher matcher = pattern.matcher(Files.readString(Path.of("src/main/docker", dockerfile)));
            if (!matcher.find()) {
                throw new IllegalStateException(dockerfile + " has no " + pattern);
            }
            return matcher;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
