package io.kubevirt.metrics.gateway.relabel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
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
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

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
     * @throws IllegalArgumentException with a message naming the source, the rule's path and the problem
     */
    public static RelabelConfig parse(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return new RelabelConfig(RelabelRules.NONE, RelabelRules.NONE, true);
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a mapping with relabel_configs, "
                    + "metric_relabel_configs and honor_labels");
        }
        checkKeys(root, TOP_LEVEL_KEYS, source);
        JsonNode honor = root.get("honor_labels");
        if (honor != null && !honor.isNull() && !honor.isBoolean()) {
            throw new IllegalArgumentException(source + ": honor_labels: expected true or false, found " + honor);
        }
        return new RelabelConfig(rules(root.get("relabel_configs"), source + ": relabel_configs"),
                rules(root.get("metric_relabel_configs"), source + ": metric_relabel_configs"),
                honor == null || honor.isNull() || honor.asBoolean());
    }

    private static RelabelRules rules(JsonNode list, String path) {
        if (list == null || list.isNull()) {
            return RelabelRules.NONE;
        }
        if (!list.isArray()) {
            throw new IllegalArgumentException(path + ": expected a list of rules");
        }
        List<RelabelRule> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String rulePath = path + "[" + i + "]";
            JsonNode node = list.get(i);
            if (!node.isObject()) {
                throw new IllegalArgumentException(rulePath + ": expected a mapping");
            }
            checkKeys(node, RULE_KEYS, rulePath);
            try {
                rules.add(rule(node));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(rulePath + "." + e.getMessage());
            }
        }
        return new RelabelRules(rules);
    }

    private static RelabelRule rule(JsonNode node) {
        List<String> sources = null;
        JsonNode sourceNode = node.get("source_labels");
        if (sourceNode != null && !sourceNode.isNull()) {
            if (!sourceNode.isArray()) {
                throw new IllegalArgumentException("source_labels: expected a list of label names");
            }
            sources = new ArrayList<>();
            for (JsonNode s : sourceNode) {
                sources.add(scalar(s, "source_labels"));
            }
        }
        String actionName = text(node, "action");
        RelabelAction action = actionName == null ? null : RelabelAction.of(actionName);
        if (actionName != null && action == null) {
            throw new IllegalArgumentException("action: unknown relabel action \"" + actionName + "\"");
        }
        Long modulus = null;
        JsonNode modulusNode = node.get("modulus");
        if (modulusNode != null && !modulusNode.isNull()) {
            if (!modulusNode.canConvertToExactIntegral() || modulusNode.asLong() < 0) {
                throw new IllegalArgumentException("modulus: expected a non-negative integer, found " + modulusNode);
            }
            modulus = modulusNode.asLong();
        }
        return new RelabelRule(sources, text(node, "separator"), text(node, "regex"), modulus,
                text(node, "target_label"), text(node, "replacement"), action);
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : scalar(value, key);
    }

    private static String scalar(JsonNode value, String key) {
        if (!value.isValueNode()) {
            throw new IllegalArgumentException(key + ": expected a string, found " + value);
        }
        return value.asText();
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            String key = it.next().getKey();
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(path + ": unknown field \"" + key + "\" (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }
}
