package io.kubevirt.metrics.gateway.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.representer.Representer;

/**
 * YAML (and JSON) read into maps, lists and strings, the way Prometheus' configuration reads it
 * into string fields: a scalar keeps its text ({@code yes} stays "yes", {@code 010} stays "010"),
 * an empty plain scalar, {@code ~} and {@code null} are absent, and a key given twice is an error.
 */
public final class YamlTree {
    private YamlTree() {
    }

    /**
     * The document as {@code Map<String, Object>}, {@code List<Object>}, {@code String} or null.
     *
     * @throws IllegalArgumentException with the line and column of a syntax error
     */
    public static Object read(String text) {
        LoaderOptions options = new LoaderOptions();
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()),
                new DumperOptions(), options);
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getProblem() + " at line "
                    + (e.getProblemMark().getLine() + 1) + ", column " + (e.getProblemMark().getColumn() + 1));
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage());
        }
        return root == null ? null : convert(root);
    }

    private static Object convert(Node node) {
        if (node instanceof ScalarNode scalar) {
            String value = scalar.getValue();
            boolean plain = scalar.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
            return plain && (value.isEmpty() || value.equals("~") || value.equals("null")) ? null : value;
        }
        if (node instanceof SequenceNode sequence) {
            List<Object> list = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                list.add(convert(item));
            }
            return list;
        }
        MappingNode mapping = (MappingNode) node;
        Map<String, Object> map = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Object key = convert(tuple.getKeyNode());
            if (!(key instanceof String name)) {
                throw new IllegalArgumentException("line " + (tuple.getKeyNode().getStartMark().getLine() + 1)
                        + ": a key must be a string");
            }
            if (map.containsKey(name)) {
                throw new IllegalArgumentException("line " + (tuple.getKeyNode().getStartMark().getLine() + 1)
                        + ": key \"" + name + "\" already set");
            }
            map.put(name, convert(tuple.getValueNode()));
        }
        return map;
    }
}
