package io.kubevirt.metrics.gateway.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.kubevirt.metrics.gateway.testing.Pods;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PodTargetsTest {

    @Test
    void labelsTheMetricsPortAsKubernetesSdDoes() {
        List<DiscoveredTarget> targets = PodTargets.of(Pods.virtApi().build(), "metrics");
        assertEquals(1, targets.size());
        Map<String, String> expected = new TreeMap<>();
        expected.put("__address__", "10.244.0.12:8443");
        expected.put("__meta_kubernetes_namespace", "kubevirt");
        expected.put("__meta_kubernetes_pod_name", "virt-api-7f9b8c6d5-x2x8k");
        expected.put("__meta_kubernetes_pod_ip", "10.244.0.12");
        expected.put("__meta_kubernetes_pod_uid", "uid-1");
        expected.put("__meta_kubernetes_pod_node_name", "node-1");
        expected.put("__meta_kubernetes_pod_host_ip", "192.168.1.10");
        expected.put("__meta_kubernetes_pod_phase", "Running");
        expected.put("__meta_kubernetes_pod_ready", "true");
        expected.put("__meta_kubernetes_pod_label_kubevirt_io", "virt-api");
        expected.put("__meta_kubernetes_pod_labelpresent_kubevirt_io", "true");
        expected.put("__meta_kubernetes_pod_label_prometheus_kubevirt_io", "true");
        expected.put("__meta_kubernetes_pod_labelpresent_prometheus_kubevirt_io", "true");
        expected.put("__meta_kubernetes_pod_annotation_kubevirt_io_install_strategy_version", "v1.4.0");
        expected.put("__meta_kubernetes_pod_annotationpresent_kubevirt_io_install_strategy_version", "true");
        expected.put("__meta_kubernetes_pod_controller_kind", "ReplicaSet");
        expected.put("__meta_kubernetes_pod_controller_name", "virt-api-7f9b8c6d5");
        expected.put("__meta_kubernetes_pod_container_name", "virt-api");
        expected.put("__meta_kubernetes_pod_container_image", "quay.io/kubevirt/virt-api:v1.4.0");
        expected.put("__meta_kubernetes_pod_container_init", "false");
        expected.put("__meta_kubernetes_pod_container_port_name", "metrics");
        expected.put("__meta_kubernetes_pod_container_port_number", "8443");
        expected.put("__meta_kubernetes_pod_container_port_protocol", "TCP");
        assertEquals(expected, new TreeMap<>(targets.get(0).labels()));
    }

    @Test
    void ipv6AddressesGetBrackets() {
        Pod pod = Pods.virtApi().editStatus().withPodIP("fd00::12").endStatus().build();
        assertEquals("[fd00::12]:8443", PodTargets.of(pod, "metrics").get(0).labels().get("__address__"));
    }

    @Test
    void noTargetsForPodsThatAreNotRunningOrHaveNoIpOrAreTerminatingOrLackThePort() {
        assertEquals(List.of(), PodTargets.of(Pods.virtApi().editStatus().withPhase("Pending").endStatus().build(),
                "metrics"));
        assertEquals(List.of(), PodTargets.of(Pods.virtApi().editStatus().withPodIP(null).endStatus().build(), "metrics"));
        assertEquals(List.of(), PodTargets.of(Pods.virtApi().editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z")
                .endMetadata().build(), "metrics"));
        assertEquals(List.of(), PodTargets.of(Pods.virtApi().build(), "prometheus"));
    }
}
