package io.kubevirt.metrics.gateway.expose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

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

    private static byte[] bytes() {
        return MERGED.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsTheNamespacesOfTheSeries() {
        assertEquals(Set.of("kubevirt", "team-a", "team-b"), NamespaceFilter.namespaces(bytes(), bytes().length));
    }

    @Test
    void keepsATenantsSeriesWithTheirFamiliesHeadersOnly() {
        assertEquals("""
                # HELP kubevirt_vmi_memory_resident_bytes Resident memory of the VM.
                # TYPE kubevirt_vmi_memory_resident_bytes gauge
                kubevirt_vmi_memory_resident_bytes{name="vm-a",namespace="team-a",node="n1",pod="virt-handler-1"} 1e+09
                kubevirt_vmi_memory_resident_bytes{name="vm-c",namespace="team-a",node="n2",pod="virt-handler-2"} 3e+09
                """, new String(NamespaceFilter.keep(bytes(), bytes().length, Set.of("team-a")), StandardCharsets.UTF_8));
    }

    @Test
    void matchesTheLabelNotTextInsideAValue() {
        assertEquals("""
                # HELP kubevirt_vmi_memory_resident_bytes Resident memory of the VM.
                # TYPE kubevirt_vmi_memory_resident_bytes gauge
                kubevirt_vmi_memory_resident_bytes{name="vm-b",namespace="team-b",node="n1",pod="virt-handler-1"} 2e+09
                # HELP kubevirt_vmi_phase_count VMs by phase.
                # TYPE kubevirt_vmi_phase_count gauge
                kubevirt_vmi_phase_count{phase="Running",namespace="team-b"} 1
                # TYPE tricky gauge
                tricky{a="namespace=\\"team-a\\"",namespace="team-b"} 1
                """, new String(NamespaceFilter.keep(bytes(), bytes().length, Set.of("team-b")), StandardCharsets.UTF_8));
    }
}
