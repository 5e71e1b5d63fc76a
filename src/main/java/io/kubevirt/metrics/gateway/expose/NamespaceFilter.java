package io.kubevirt.metrics.gateway.expose;

import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.merge.NamespaceLabel;
import io.kubevirt.metrics.gateway.parse.Escapes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * A tenant's view of the answer: only the series whose final {@code namespace} label is one of the
 * tenant's namespaces, decided line by line as the writer writes them (the writer then writes a
 * family's metadata only where a series of it remains). A tenant's answer is streamed like
 * anyone's: it holds no more memory than a full-access one.
 */
final class NamespaceFilter implements MergedExposition.SampleFilter {
    /** The readable namespaces as the writer writes label values. */
    private final byte[][] namespaces;

    NamespaceFilter(Set<String> readable) {
        this.namespaces = readable.stream().map(n -> Escapes.escapeLabelValue(n).getBytes(StandardCharsets.UTF_8))
                .toArray(byte[][]::new);
    }

    @Override
    public boolean keep(byte[] line, int start, int end) {
        long value = NamespaceLabel.find(line, start, end);
        if (value < 0) {
            return false;
        }
        int from = (int) (value >>> 32);
        int to = (int) value;
        for (byte[] namespace : namespaces) {
            if (Arrays.equals(line, from, to, namespace, 0, namespace.length)) {
                return true;
            }
        }
        return false;
    }
}
