package io.kubevirt.metrics.gateway.relabel;

import io.kubevirt.metrics.gateway.config.YamlTree;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gateway's relabeling, in Prometheus' own YAML syntax: {@code relabel_configs} (targets,
 * before scraping), {@code metric_relabel_configs} (every scraped series) and {@code honor_labels}.
 * Keys a scrape_config would not accept here are errors, as in Prometheus' strict parsing.
 *
 * @param targetRules rules applied to each target's meta labels
 * @param metricRules rules applied to each scraped series
 * @param honorLabels when true a scraped label wins over a target label of the same name
 */
public record RelabelConfig(RelabelRules targetRules, RelabelRules metricRules, boolean honorLabels) {

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("relabel_configs", "metric_relabel_configs",
            "honor_labels");
    private static final Set<String> RULE_KEYS = Set.of("source_labels", "separator", "regex", "modulus",
            "target_label", "replacement", "action");
    /** The spellings of a YAML 1.1 boolean, which Go's yaml.v2 accepts for honor_labels. */
    private static final Set<String> TRUE = Set.of("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON",
            "y", "Y");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF",
            "n", "N");

    /** The built-in default: the target labels of KubeVirt's own ServiceMonitor (see default-relabel.yaml). */
    public static RelabelConfig builtIn() {
        try (InputStream in = RelabelConfig.class.getResourceAsStream("/default-relabel.yaml")) {
            return parse(in, "built-in default-relabel.yaml");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the built-in relabel configuration", e);
        }
    }

    /**
     * Parses a relabel file.
     *
     * @throws IllegalArgumentException with a message naming the source, the rule's index, the field and the problem
     */
    public static RelabelConfig parse(InputStream in, String source) throws IOException {
        Object root;
        try {
            root = YamlTree.read(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
        if (root == null) {
            return new RelabelConfig(RelabelRules.NONE, RelabelRules.NONE, true);
        }
        Map<String, Object> top = mapping(root, source, "expected a mapping with relabel_configs, "
                + "metric_relabel_configs and honor_labels");
        checkKeys(top, TOP_LEVEL_KEYS, source);
        Object honor = top.get("honor_labels");
        if (honor != null && !TRUE.contains(honor) && !FALSE.contains(honor)) {
            throw new IllegalArgumentException(source + ": honor_labels: expected true or false, found " + honor);
        }
        return new RelabelConfig(rules(top.get("relabel_configs"), source + ": relabel_configs"),
                rules(top.get("metric_relabel_configs"), source + ": metric_relabel_configs"),
                honor == null || TRUE.contains(honor));
    }

    private static RelabelRules rules(Object list, String path) {
        if (list == null) {
            return RelabelRules.NONE;
        }
        if (!(list instanceof List<?> items)) {
            throw new IllegalArgumentException(path + ": expected a list of rules");
        }
        List<RelabelRule> rules = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String rulePath = path + "[" + i + "]";
            Map<String, Object> rule = mapping(items.get(i), rulePath, "expected a mapping");
            checkKeys(rule, RULE_KEYS, rulePath);
            try {
                rules.add(rule(rule));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(rulePath + "." + e.getMessage());
            }
        }
        return new RelabelRules(rules);
    }

    private static RelabelRule rule(Map<String, Object> rule) {
        List<String> sources = null;
        Object sourceList = rule.get("source_labels");
        if (sourceList != null) {
            if (!(sourceList instanceof List<?> names)) {
                throw new IllegalArgumentException("source_labels: expected a list of label names");
            }
            sources = new ArrayList<>();
            for (Object name : names) {
                sources.add(name == null ? "" : scalar(name, "source_labels"));
            }
        }
        String actionName = text(rule, "action");
        RelabelAction action = actionName == null ? null : RelabelAction.of(actionName);
        if (actionName != null && action == null) {
            throw new IllegalArgumentException("action: unknown relabel action \"" + actionName + "\"");
        }
        Long modulus = null;
        String modulusText = text(rule, "modulus");
        if (modulusText != null) {
            try {
                modulus = Long.parseUnsignedLong(modulusText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("modulus: expected a non-negative integer, found " + modulusText);
            }
        }
        return new RelabelRule(sources, text(rule, "separator"), text(rule, "regex"), modulus,
                text(rule, "target_label"), text(rule, "replacement"), action);
    }

    private static String text(Map<String, Object> rule, String key) {
        Object value = rule.get(key);
        return value == null ? null : scalar(value, key);
    }

    private static String scalar(Object value, String key) {
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException(key + ": expected a string, found " + value);
        }
        return text;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapping(Object node, String path, String expected) {
        if (!(node instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(path + ": " + expected);
        }
        return (Map<String, Object>) node;
    }

    private static void checkKeys(Map<String, Object> node, Set<String> allowed, String path) {
        for (String key : node.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(path + ": unknown field \"" + key + "\" (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
