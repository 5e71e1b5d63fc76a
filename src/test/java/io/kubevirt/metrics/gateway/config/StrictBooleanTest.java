package io.kubevirt.metrics.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.TestConfig;
import io.smallrye.config.WithConverter;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StrictBooleanTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "gateway.discovery.kubernetes.enabled",
        "gateway.scrape.tls.insecure-skip-verify",
        "gateway.scrape.tls.verify-hostname",
        "gateway.tls.self-signed",
        "gateway.auth.enabled",
        "gateway.demo.enabled",
    })
    void aBooleanKeyThatIsNeitherTrueNorFalseFailsNamingTheKey(String key) {
        Exception e = assertThrows(RuntimeException.class, () -> TestConfig.of(Map.of(key, "ture")));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains("\"ture\" is not a boolean: set true or false"), e.getMessage());
    }

    @Test
    void everyBooleanKeyIsReadStrictly() {
        List<String> lenient = new ArrayList<>();
        collectLenient(GatewayConfig.class, lenient);
        assertEquals(List.of(), lenient);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"true, true", "TRUE, true", "on, true", "1, true", "false, false", "' False ', false", "off, false",
        "0, false"})
    void readsTheWordsSmallRyeReads(String value, boolean expected) {
        assertEquals(expected, TestConfig.of(Map.of("gateway.scrape.tls.verify-hostname", value)).scrape().tls()
                .verifyHostname());
        assertEquals(expected, StrictBoolean.isTrue(value));
    }

    /** Boolean keys of a mapping interface and the ones it nests that miss the strict converter. */
    private static void collectLenient(Class<?> mapping, List<String> lenient) {
        for (Method key : mapping.getDeclaredMethods()) {
            if (key.getReturnType() == boolean.class) {
                WithConverter converter = key.getAnnotation(WithConverter.class);
                if (converter == null || converter.value() != StrictBoolean.class) {
                    lenient.add(mapping.getSimpleName() + "." + key.getName());
                }
            } else if (key.getReturnType().getName().startsWith(GatewayConfig.class.getName() + "$")) {
                collectLenient(key.getReturnType(), lenient); // A group of keys.
            }
        }
    }
}
