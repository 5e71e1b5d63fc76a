package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The semantics of Prometheus' model/relabel, rule by rule: input labels, one rule (YAML flow
 * mapping), the expected labels (or "dropped"). Labels are written {@code a=1,b=2}.
 */
class RelabelRulesTest {
    private static final Map<String, String> INPUT = labels("__name__=up,job=kubevirt,pod=virt-handler-4kzvd,"
            + "namespace=kubevirt,node=worker-1");

    static Map<String, String> labels(String text) {
        Map<String, String> labels = new TreeMap<>();
        if (!text.isEmpty()) {
            for (String pair : text.split(",")) {
                int eq = pair.indexOf('=');
                labels.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return labels;
    }

    static RelabelRules rules(String yaml) throws IOException {
        return RelabelConfig.parse(new ByteArrayInputStream(("relabel_configs:\n" + yaml)
                .getBytes(StandardCharsets.UTF_8)), "test").targetRules();
    }

    private static String apply(String rule, Map<String, String> input) throws IOException {
        SortedMap<String, String> result = rules("  - " + rule + "\n").apply(input);
        if (result == null) {
            return "dropped";
        }
        StringBuilder out = new StringBuilder();
        result.forEach((k, v) -> out.append(out.length() > 0 ? "," : "").append(k).append('=').append(v));
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // replace
        "replace with defaults copies | {source_labels: [pod], target_label: p} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,p=virt-handler-4kzvd,pod=virt-handler-4kzvd",
        "replace with a group | {source_labels: [pod], regex: 'virt-(\\w+)-.*', target_label: component} | __name__=up,component=handler,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "regex is anchored | {source_labels: [pod], regex: 'handler', target_label: x, replacement: y} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "no match no change | {source_labels: [pod], regex: 'virt-api.*', target_label: job, replacement: x} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "empty result deletes | {source_labels: [missing], target_label: job} | __name__=up,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "missing source is empty | {source_labels: [missing], regex: '', target_label: x, replacement: empty} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,x=empty",
        "separator joins | {source_labels: [namespace, node], separator: '/', target_label: x} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,x=kubevirt/worker-1",
        "default separator | {source_labels: [job, node], target_label: x} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,x=kubevirt;worker-1",
        "braced and named groups | {source_labels: [node], regex: '(?P<kind>[a-z]+)-(\\d)', target_label: x, replacement: '${kind}_${2}$$'} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,x=worker_1$",
        "$1x is group 1x, empty | {source_labels: [node], regex: '(.*)', target_label: x, replacement: '$1x'} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "malformed reference is text | {source_labels: [node], target_label: x, replacement: 'a$-b${1'} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,x=a$-b${1",
        "target label from a group | {source_labels: [node], regex: '(\\w+)-1', target_label: 'on_$1', replacement: yes} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,on_worker=yes,pod=virt-handler-4kzvd",
        "invalid expanded target is ignored | {source_labels: [node], regex: '(.*)', target_label: '$1', replacement: yes} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "rename the metric | {source_labels: [__name__], target_label: __name__, replacement: kubevirt_$1} | __name__=kubevirt_up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "unicode value | {source_labels: [node], regex: '.*', target_label: x, replacement: 'é虚🚀'} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,x=é虚🚀",
        "dot does not match newline | {source_labels: [job], regex: 'a.b', action: keep} | dropped",
        // keep and drop
        "keep on match | {source_labels: [job], regex: kubevirt, action: keep} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "keep drops on mismatch | {source_labels: [job], regex: kube, action: keep} | dropped",
        "drop on match | {source_labels: [pod], regex: 'virt-handler-.*', action: drop} | dropped",
        "drop keeps on mismatch | {source_labels: [pod], regex: 'virt-api-.*', action: DROP} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "drop missing label by empty regex | {source_labels: [missing], regex: '', action: drop} | dropped",
        // keepequal and dropequal
        "keepequal keeps equal | {source_labels: [namespace], target_label: job, action: keepequal} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "keepequal drops unequal | {source_labels: [node], target_label: job, action: keepequal} | dropped",
        "dropequal drops equal | {source_labels: [namespace], target_label: job, action: dropequal} | dropped",
        // hashmod: md5("virt-handler-4kzvd"), last 8 bytes big-endian, mod 4 (Python hashlib gives 1)
        "hashmod | {source_labels: [pod], modulus: 4, target_label: shard, action: hashmod} | __name__=up,job=kubevirt,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd,shard=1",
        // labelmap, labeldrop, labelkeep
        "labelmap with a group | {regex: '(n.*)', replacement: 'k8s_$1', action: labelmap} | __name__=up,job=kubevirt,k8s_namespace=kubevirt,k8s_node=worker-1,namespace=kubevirt,node=worker-1,pod=virt-handler-4kzvd",
        "labeldrop | {regex: 'n.*', action: labeldrop} | __name__=up,job=kubevirt,pod=virt-handler-4kzvd",
        "labelkeep | `{regex: '__name__|pod', action: labelkeep}` | __name__=up,pod=virt-handler-4kzvd",
        // case
        "uppercase | {source_labels: [node], target_label: node, action: uppercase} | __name__=up,job=kubevirt,namespace=kubevirt,node=WORKER-1,pod=virt-handler-4kzvd",
        "lowercase of missing deletes | {source_labels: [missing], target_label: node, action: lowercase} | __name__=up,job=kubevirt,namespace=kubevirt,pod=virt-handler-4kzvd",
    })
    void appliesLikePrometheus(String name, String rule, String expected) throws IOException {
        assertEquals(expected, apply(rule, INPUT));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "unknown action | {action: Foo} | test: relabel_configs[0].action: unknown relabel action \"Foo\"",
        "unknown field | {action: keep, regexp: x} | test: relabel_configs[0]: unknown field \"regexp\" (allowed: action, modulus, regex, replacement, separator, source_labels, target_label)",
        "bad regex | {source_labels: [a], regex: '(', target_label: b} | test: relabel_configs[0].regex: \"(\" is not a valid RE2 expression: missing closing )",
        "no target label | {source_labels: [a]} | test: relabel_configs[0].target_label: relabel configuration for replace action requires 'target_label' value",
        "invalid target label | {source_labels: [a], target_label: 'a-b'} | test: relabel_configs[0].target_label: \"a-b\" is invalid 'target_label' for replace action",
        "hashmod without modulus | {source_labels: [a], target_label: b, action: hashmod} | test: relabel_configs[0].modulus: relabel configuration for hashmod requires non-zero modulus",
        "labeldrop with source | {source_labels: [a], regex: b, action: labeldrop} | test: relabel_configs[0].action: labeldrop action requires only 'regex', and no other fields",
        "keepequal with regex | {source_labels: [a], target_label: b, regex: '(.*)', action: keepequal} | test: relabel_configs[0].action: keepequal action requires only 'source_labels' and `target_label`, and no other fields",
        "lowercase with replacement | {source_labels: [a], target_label: b, replacement: x, action: lowercase} | test: relabel_configs[0].replacement: 'replacement' can not be set for lowercase action",
        "invalid source label | {source_labels: ['a.b'], target_label: c} | test: relabel_configs[0].source_labels: \"a.b\" is not a valid label name",
        "labelmap bad replacement | {regex: '(.*)', replacement: '1$1', action: labelmap} | test: relabel_configs[0].replacement: \"1$1\" is invalid 'replacement' for labelmap action",
    })
    void rejectsInvalidRulesNamingIndexFieldAndProblem(String name, String rule, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rules("  - " + rule + "\n"));
        assertEquals(message, e.getMessage());
    }
}
