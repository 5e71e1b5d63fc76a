package io.kubevirt.metrics.gateway.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** Pods as KubeVirt runs them. */
public final class Pods {
    private Pods() {
    }

    /**
     * A running KubeVirt pod of {@code component} whose metrics port is {@code port} on 127.0.0.1,
     * where a test serves its /metrics.
     */
    public static Pod onLoopback(String namespace, String name, String component, int port) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("kubevirt.io", component).addToLabels("prometheus.kubevirt.io", "true").endMetadata()
                .withNewSpec().addNewContainer().withName(component)
                .addNewPort().withName("metrics").withContainerPort(port).withProtocol("TCP").endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build();
    }

    /** A running virt-api pod, which declares port 8443 twice (virt-api and metrics), as KubeVirt's does. */
    public static PodBuilder virtApi() {
        return new PodBuilder()
                .withNewMetadata().withName("virt-api-7f9b8c6d5-x2x8k").withNamespace("kubevirt").withUid("uid-1")
                .addToLabels("kubevirt.io", "virt-api").addToLabels("prometheus.kubevirt.io", "true")
                .addToAnnotations("kubevirt.io/install-strategy-version", "v1.4.0")
                .addNewOwnerReference().withKind("ReplicaSet").withName("virt-api-7f9b8c6d5").withController(true)
                .endOwnerReference().endMetadata()
                .withNewSpec().withNodeName("node-1")
                .addNewContainer().withName("virt-api").withImage("quay.io/kubevirt/virt-api:v1.4.0")
                .addNewPort().withName("virt-api").withContainerPort(8443).withProtocol("TCP").endPort()
                .addNewPort().withName("metrics").withContainerPort(8443).withProtocol("TCP").endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.244.0.12").withHostIP("192.168.1.10")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
    }
}
