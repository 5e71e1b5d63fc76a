package io.kubevirt.metrics.gateway.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Parses manifests with the fabric8 model and fails on any field the model does not know: fabric8
 * keeps unknown fields in additionalProperties, so every object of the result is searched for them.
 */
final class StrictModel {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private StrictModel() {
    }

    /** Every document of a multi-document YAML stream, parsed into its fabric8 type. */
    static java.util.List<HasMetadata> parse(String yaml) {
        java.util.List<HasMetadata> objects = new java.util.ArrayList<>();
        for (String document : yaml.split("(?m)^---$")) {
            if (document.isBlank()) {
                continue;
            }
            HasMetadata object = SERIALIZATION.unmarshal(document);
            if (object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource) {
                objects.add(object); // No model to check against (cert-manager): the test checks it by hand.
                continue;
            }
            assertNoUnknownFields(object, object.getKind() + "/" + object.getMetadata().getName(),
                    new IdentityHashMap<>());
            objects.add(object);
        }
        return objects;
    }

    private static void assertNoUnknownFields(Object object, String path, Map<Object, Boolean> seen) {
        if (object == null || seen.put(object, true) != null) {
            return;
        }
        if (object instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                assertNoUnknownFields(item, path + "[" + i++ + "]", seen);
            }
            return;
        }
        if (object instanceof Map<?, ?> map) {
            map.forEach((k, v) -> assertNoUnknownFields(v, path + "." + k, seen));
            return;
        }
        if (!object.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || Modifier.isStatic(getter.getModifiers()) || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(object);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                assertTrue(((Map<?, ?>) value).isEmpty(), path + " has fields the model does not know: "
                        + ((Map<?, ?>) value).keySet());
            } else {
                assertNoUnknownFields(value, path + "." + getter.getName().substring(3), seen);
            }
        }
    }
}
