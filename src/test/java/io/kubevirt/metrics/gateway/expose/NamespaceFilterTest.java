package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.merge.Merger;
import io.kubevirt.metrics.gateway.merge.SeriesLabeling;
import io.kubevirt.metrics.gateway.merge.TargetExpositionReader;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ParseException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A tenant's view, as the writer streams it through the filter. */
class NamespaceFilterTest {
    private static final String MERGED = """
            # HELP up 1 if the target was scraped successfully, 0 otherwise.
            # TYPE up gauge
            up{instance="10.0.0.1:8443",kubevirt_io="virt-handler",namespace="kubevirt",pod="virt-handler-1"} 1
            # HELP kubevirt_vmi_memory_resident_bytes Resident memory of the VM.
            # TYPE kubevirt_vmi_memory_resident_bytes gauge
            kubevirt_vmi_memory_resident_bytes{name="vm-a",namespace="team-a",node="n1",pod="virt-handler-1"} 1e+09
            kubevirt_vmi_memory_resident_bytes{name="vm-b",namespace="team-b",node="n1",pod="virt-handler-1"} 2e+09
            kubevirt_vmi_memory_resident_bytes{name="vm-c",namespace="team-a",node="n2",pod="virt-handler-2"} 3e+09
            # HELP kubevirt_vmi_phase_count VMs by phase.
            # TYPE kubevirt_vmi_phase_count gauge
            kubevirt_vmi_phase_count{phase="Running",namespace="team-b"} 1
            # TYPE tricky gauge
            tricky{a="namespace=\\"team-a\\"",namespace="team-b"} 1
            tricky{my_namespace="team-a"} 2
            kubevirt_metrics_gateway_targets{source="kubernetes"} 3
            """;

    private static MergedExposition merged() throws ParseException {
        byte[] body = MERGED.getBytes(StandardCharsets.UTF_8);
        return Merger.merge(List.of(new Merger.Source("merged", TargetExpositionReader.read(body, body.length,
                ExpositionFormat.TEXT, SeriesLabeling.NONE))));
    }

    private static String view(Set<String> namespaces, ExpositionFormat format) throws ParseException {
        MergedExposition.Writer writer = merged().writer(format, new NamespaceFilter(namespaces));
        StringBuilder view = new StringBuilder();
        boolean more = true;
        while (more) { // Small chunks: a family's metadata may wait across them.
            ByteSink chunk = new ByteSink(128);
            more = writer.fill(chunk, 100);
            view.append(chunk);
        }
        return view.toString();
    }

    @Test
    void findsTheNamespacesOfTheSeries() throws ParseException {
        assertEquals(Set.of("kubevirt", "team-a", "team-b"), merged().namespaces());
    }

    @Test
    void endsAnOpenMetricsViewWithEof() throws ParseException {
        assertEquals("# EOF\n", view(Set.of("nobody"), ExpositionFormat.OPENMETRICS));
    }

    @Test
    void keepsATenantsSeriesWithTheirFamiliesHeadersOnly() throws ParseException {
        assertEquals("""
                # HELP kubevirt_vmi_memory_resident_bytes Resident memory of the VM.
                # TYPE kubevirt_vmi_memory_resident_bytes gauge
                kubevirt_vmi_memory_resident_bytes{name="vm-a",namespace="team-a",node="n1",pod="virt-handler-1"} 1e+09
                kubevirt_vmi_memory_resident_bytes{name="vm-c",namespace="team-a",node="n2",pod="virt-handler-2"} 3e+09
                """, view(Set.of("team-a"), ExpositionFormat.TEXT));
    }

    @Test
    void matchesTheLabelNotTextInsideAValue() throws ParseException {
        assertEquals("""
                # HELP kubevirt_vmi_memory_resident_bytes Resident memory of the VM.
                # TYPE kubevirt_vmi_memory_resident_bytes gauge
                kubevirt_vmi_memory_resident_bytes{name="vm-b",namespace="team-b",node="n1",pod="virt-handler-1"} 2e+09
                # HELP kubevirt_vmi_phase_count VMs by phase.
                # TYPE kubevirt_vmi_phase_count gauge
                kubevirt_vmi_phase_count{phase="Running",namespace="team-b"} 1
                # TYPE tricky gauge
                tricky{a="namespace=\\"team-a\\"",namespace="team-b"} 1
                """, view(Set.of("team-b"), ExpositionFormat.TEXT));
    }
}
