package io.kubevirt.metrics.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The manifests under kubernetes/, built with kustomize and parsed strictly with the fabric8 model. */
class ManifestsTest {

    static List<HasMetadata> build(String folder) throws Exception {
        return StrictModel.parse(Kustomize.build(folder));
    }

    static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), type.getSimpleName());
        return found.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"base", "overlays/cert-manager", "overlays/openshift"})
    void everyBuildParsesStrictlyAndKeepsTheGatewaySafe(String folder) throws Exception {
        List<HasMetadata> objects = build(folder);
        Set<String> kinds = objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
        assertTrue(kinds.containsAll(Set.of("ServiceAccount", "Role", "RoleBinding", "Deployment", "Service",
                "ServiceMonitor", "PodDisruptionBudget", "NetworkPolicy", "PrometheusRule", "ConfigMap")), kinds.toString());
        String namespace = only(objects, Deployment.class).getMetadata().getNamespace();
        assertTrue(objects.stream().filter(o -> !o.getKind().startsWith("Cluster"))
                .allMatch(o -> namespace.equals(o.getMetadata().getNamespace())));
        // The gate: the gateway may ask the API server, its own account in its own namespace.
        ClusterRoleBinding delegator = objects.stream().filter(ClusterRoleBinding.class::isInstance)
                .map(ClusterRoleBinding.class::cast).filter(b -> "system:auth-delegator".equals(b.getRoleRef()
                        .getName())).findFirst().orElseThrow();
        assertEquals(namespace, delegator.getSubjects().get(0).getNamespace());
        assertEquals("kubevirt-metrics-gateway", delegator.getSubjects().get(0).getName());
        ClusterRole reader = only(objects, ClusterRole.class);
        assertEquals(List.of("/metrics"), reader.getRules().get(0).getNonResourceURLs());
        assertEquals(List.of("get"), reader.getRules().get(0).getVerbs());

        Deployment deployment = only(objects, Deployment.class);
        assertEquals(2, deployment.getSpec().getReplicas());
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertEquals("kubevirt-metrics-gateway", pod.getServiceAccountName());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container gateway = pod.getContainers().get(0);
        assertFalse(gateway.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(gateway.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), gateway.getSecurityContext().getCapabilities().getDrop());
        assertNull(gateway.getSecurityContext().getPrivileged());
        assertProbe(gateway.getStartupProbe(), "/q/health/started");
        assertProbe(gateway.getLivenessProbe(), "/q/health/live");
        assertProbe(gateway.getReadinessProbe(), "/q/health/ready");
        assertTrue(gateway.getResources().getRequests().containsKey("cpu"));
        assertTrue(gateway.getResources().getLimits().containsKey("memory"));
        assertEquals(8443, gateway.getPorts().get(0).getContainerPort());
        assertTrue(pod.getVolumes().stream().anyMatch(v -> v.getSecret() != null
                && "kubevirt-metrics-gateway-tls".equals(v.getSecret().getSecretName())));
        Map<String, String> env = gateway.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue()));
        assertEquals("kubevirt-metrics-gateway", env.get("GATEWAY_SHARD_SERVICE"));
        assertEquals("true", env.get("GATEWAY_AUTH_ENABLED"));

        Service service = only(objects, Service.class);
        assertEquals("metrics", service.getSpec().getPorts().get(0).getName());
        assertEquals(443, service.getSpec().getPorts().get(0).getPort());
        assertEquals("metrics", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());

        Endpoint endpoint = only(objects, ServiceMonitor.class).getSpec().getEndpoints().get(0);
        assertEquals("metrics", endpoint.getPort());
        assertEquals("https", endpoint.getScheme());
        assertTrue(endpoint.getHonorLabels());
        // Prometheus sends its service account's token, which the gate checks.
        assertEquals("/var/run/secrets/kubernetes.io/serviceaccount/token", endpoint.getBearerTokenFile());
        assertTrue(endpoint.getTlsConfig().getServerName().endsWith("." + namespace + ".svc"));
        assertTrue(endpoint.getTlsConfig().getCa().getSecret() != null || endpoint.getTlsConfig().getCa().getConfigMap() != null);

        assertEquals(1, only(objects, PodDisruptionBudget.class).getSpec().getMinAvailable().getIntVal());
        NetworkPolicy policy = only(objects, NetworkPolicy.class);
        assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
    }

    @Test
    void theRoleOnlyReadsPodsAndEndpointSlices() throws Exception {
        Role role = only(build("base"), Role.class);
        for (PolicyRule rule : role.getRules()) {
            assertEquals(Set.of("get", "list", "watch"), Set.copyOf(rule.getVerbs()));
            assertTrue(Set.of("pods", "endpointslices").containsAll(rule.getResources()), rule.getResources().toString());
        }
    }

    @Test
    void theDashboardShipsAsAGrafanaConfigMapWithTheSeedPanels() throws Exception {
        ConfigMap dashboard = build("base").stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(c -> "1".equals(c.getMetadata().getLabels().get("grafana_dashboard"))).findFirst().orElseThrow();
        JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("kubevirt-metrics-gateway.json"));
        List<String> exprs = Dashboard.expressions(json);
        for (String code : List.of("404", "500", "<error>")) {
            assertTrue(exprs.contains("count(rate({__name__=~\"(kubevirt_)?rest_client_requests_total\",service="
                    + "\"kubevirt-prometheus-metrics\",code=\"" + code + "\"}[5m]))"), code);
        }
        assertTrue(exprs.stream().anyMatch(e -> e.startsWith("sum by (kubevirt_io, code, method) (rate(")));
    }

    @Test
    void certManagerIssuesTheSecretTheGatewayMounts() throws Exception {
        List<GenericKubernetesResource> certificates = build("overlays/cert-manager").stream()
                .filter(o -> o.getKind().equals("Certificate")).map(GenericKubernetesResource.class::cast).toList();
        GenericKubernetesResource serving = certificates.stream()
                .filter(c -> c.getMetadata().getName().equals("kubevirt-metrics-gateway")).findFirst().orElseThrow();
        Map<String, Object> spec = serving.get("spec");
        assertEquals("kubevirt-metrics-gateway-tls", spec.get("secretName"));
        assertTrue(((List<?>) spec.get("dnsNames")).contains("kubevirt-metrics-gateway.kubevirt.svc"));
        Set<String> known = Set.of("secretName", "duration", "renewBefore", "dnsNames", "privateKey", "usages",
                "issuerRef", "isCA", "commonName");
        for (GenericKubernetesResource certificate : certificates) {
            assertTrue(known.containsAll(((Map<String, Object>) certificate.get("spec")).keySet()));
        }
    }

    @Test
    void openShiftGetsItsCertificateFromTheServiceCa() throws Exception {
        List<HasMetadata> objects = build("overlays/openshift");
        assertEquals("kubevirt-metrics-gateway-tls", only(objects, Service.class).getMetadata().getAnnotations()
                .get("service.beta.openshift.io/serving-cert-secret-name"));
        assertNull(only(objects, Deployment.class).getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser());
    }

    private static void assertProbe(Probe probe, String path) {
        assertEquals(path, probe.getHttpGet().getPath());
        assertEquals("HTTPS", probe.getHttpGet().getScheme());
        assertEquals("metrics", probe.getHttpGet().getPort().getStrVal());
    }
}
