package io.kubevirt.metrics.gateway.discovery;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The targets of one pod: one per container port with the configured name, labelled as
 * Prometheus' kubernetes_sd pod role labels them, so users can paste their relabel rules. A pod is
 * a target only while it is Running, has an IP and is not being deleted.
 */
public final class PodTargets {
    static final String META = "__meta_kubernetes_pod_";

    private PodTargets() {
    }

    public static List<DiscoveredTarget> of(Pod pod, String portName) {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())
                || pod.getStatus().getPodIP() == null || pod.getStatus().getPodIP().isEmpty()
                || pod.getMetadata().getDeletionTimestamp() != null) {
            return List.of();
        }
        Map<String, String> podLabels = podLabels(pod);
        List<DiscoveredTarget> targets = new ArrayList<>();
        for (Container container : pod.getSpec().getContainers()) {
            if (container.getPorts() == null) {
                continue;
            }
            for (ContainerPort port : container.getPorts()) {
                if (!portName.equals(port.getName()) || port.getContainerPort() == null) {
                    continue;
                }
                Map<String, String> labels = new HashMap<>(podLabels);
                labels.put("__address__", LabelNames.joinHostPort(pod.getStatus().getPodIP(),
                        port.getContainerPort()));
                labels.put(META + "container_name", container.getName());
                labels.put(META + "container_image", nullToEmpty(container.getImage()));
                labels.put(META + "container_init", "false");
                labels.put(META + "container_port_name", port.getName());
                labels.put(META + "container_port_number", Integer.toString(port.getContainerPort()));
                labels.put(META + "container_port_protocol",
                        port.getProtocol() == null ? "TCP" : port.getProtocol());
                targets.add(new DiscoveredTarget(labels));
            }
        }
        return targets;
    }

    private static Map<String, String> podLabels(Pod pod) {
        Map<String, String> labels = new HashMap<>();
        labels.put("__meta_kubernetes_namespace", pod.getMetadata().getNamespace());
        labels.put(META + "name", pod.getMetadata().getName());
        labels.put(META + "ip", pod.getStatus().getPodIP());
        labels.put(META + "uid", nullToEmpty(pod.getMetadata().getUid()));
        labels.put(META + "node_name", nullToEmpty(pod.getSpec().getNodeName()));
        labels.put(META + "host_ip", nullToEmpty(pod.getStatus().getHostIP()));
        labels.put(META + "phase", pod.getStatus().getPhase());
        labels.put(META + "ready", ready(pod));
        addAll(labels, pod.getMetadata().getLabels(), "label");
        addAll(labels, pod.getMetadata().getAnnotations(), "annotation");
        for (OwnerReference owner : pod.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(owner.getController())) {
                labels.put(META + "controller_kind", owner.getKind());
                labels.put(META + "controller_name", owner.getName());
            }
        }
        return labels;
    }

    private static void addAll(Map<String, String> labels, Map<String, String> source, String kind) {
        if (source == null) {
            return;
        }
        source.forEach((name, value) -> {
            String sanitized = LabelNames.sanitize(name);
            labels.put(META + kind + "_" + sanitized, value);
            labels.put(META + kind + "present_" + sanitized, "true");
        });
    }

    /** "true", "false" or "unknown", from the pod's Ready condition, as Prometheus gives it. */
    private static String ready(Pod pod) {
        if (pod.getStatus().getConditions() != null) {
            for (PodCondition condition : pod.getStatus().getConditions()) {
                if ("Ready".equals(condition.getType())) {
                    return condition.getStatus().toLowerCase(java.util.Locale.ROOT);
                }
            }
        }
        return "unknown";
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
