package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelabelConfigStoreTest {
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @TempDir
    Path dir;

    @AfterEach
    void closeVertx() {
        vertx.close();
    }

    private RelabelConfigStore store(Path file) {
        return new RelabelConfigStore(TestConfig.of(Map.of("gateway.relabel.file", file.toString())), vertx, registry);
    }

    private double reloadSuccess() {
        return registry.get("kubevirt.metrics.gateway.config.reload.success").gauge().value();
    }

    private static void write(Path file, String content, int second) throws Exception {
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(1_700_000_000L + second)));
    }

    @Test
    void anInvalidFileStopsTheStartNamingRuleFieldAndProblem() throws Exception {
        Path file = dir.resolve("relabel.yaml");
        write(file, "relabel_configs:\n  - {action: keep}\n  - {action: hashmod, target_label: s}\n", 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store(file));
        assertEquals("gateway.relabel.file: " + file + ": relabel_configs[1].modulus: relabel configuration for "
                + "hashmod requires non-zero modulus", e.getMessage());
    }

    @Test
    void withoutAFileTheBuiltInRulesApply() {
        RelabelConfigStore store = new RelabelConfigStore(TestConfig.of(Map.of()), vertx, registry);
        assertEquals(RelabelConfig.builtIn().targetRules().rules().size(),
                store.current().targetRules().rules().size());
        assertTrue(store.current().honorLabels());
    }

    @Test
    void aChangedFileIsReloadedAndABrokenOneKeepsTheLastGoodRules() throws Exception {
        Path file = dir.resolve("relabel.yaml");
        write(file, "honor_labels: false\n", 0);
        RelabelConfigStore store = store(file);
        assertFalse(store.current().honorLabels());
        assertEquals(1.0, reloadSuccess());

        write(file, "honor_labels: true\nmetric_relabel_configs:\n  - {source_labels: [a], regex: b, action: drop}\n", 1);
        store.reloadIfChanged(file);
        assertTrue(store.current().honorLabels());
        assertEquals(1, store.current().metricRules().rules().size());

        RelabelConfig good = store.current();
        write(file, "metric_relabel_configs:\n  - {action: drop, regex: '('}\n", 2);
        store.reloadIfChanged(file);
        assertEquals(good, store.current());
        assertEquals(0.0, reloadSuccess());

        write(file, "honor_labels: false\n", 3);
        store.reloadIfChanged(file);
        assertFalse(store.current().honorLabels());
        assertEquals(1.0, reloadSuccess());
    }
}
