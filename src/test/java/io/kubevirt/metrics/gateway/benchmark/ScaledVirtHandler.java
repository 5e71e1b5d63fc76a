package io.kubevirt.metrics.gateway.benchmark;

import io.kubevirt.metrics.gateway.testing.Samples;
import java.nio.charset.StandardCharsets;

/**
 * A virt-handler exposition of a node running many VMs: KubeVirt's sample, with every per-VM
 * series repeated for {@code vms / 3} copies of the sample's three VMs.
 */
final class ScaledVirtHandler {
    private ScaledVirtHandler() {
    }

    static byte[] body(int copies, String node) {
        String sample = Samples.text("legacy-names/virt-handler.prom").replace("worker-1", node);
        StringBuilder out = new StringBuilder(sample.length() * copies);
        for (String line : sample.split("\n")) {
            boolean perVm = line.contains(" name=\"") || line.contains(",name=\"") || line.contains("{name=\"");
            if (!perVm || line.startsWith("#")) {
                out.append(line).append('\n');
                continue;
            }
            for (int i = 0; i < copies; i++) {
                out.append(line.replaceFirst("name=\"([^\"]*)\"", "name=\"$1-" + i + "\"")).append('\n');
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Number of sample lines. */
    static int series(byte[] body) {
        int n = 0;
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                n++;
            }
        }
        return n;
    }
}
