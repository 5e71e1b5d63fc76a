package io.kubevirt.metrics.gateway.testing;

import io.kubevirt.metrics.gateway.relabel.RelabelAction;
import io.kubevirt.metrics.gateway.relabel.RelabelRule;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generated label sets and relabel rules of every action, for the property tests of relabeling. */
public final class RelabelArbitraries {
    public static final List<String> NAMES = List.of("__name__", "job", "pod", "namespace", "node", "code", "le",
            "kubevirt_io", "__address__", "__meta_kubernetes_pod_name");
    public static final List<String> REGEXES = List.of("(.*)", ".*", "", "virt-.*", "(virt)-(\\w+)-(.*)", "[0-9]+",
            "kube.*|node", "(?i)VIRT.*", "a|b|c", "(.+)", "é.*", "job|pod", "__.*", "pod", "kubevirt");
    private static final List<String> REPLACEMENTS = List.of("$1", "${1}_x", "$2$3", "fixed", "", "$$", "${name}",
            "é🚀");

    private RelabelArbitraries() {
    }

    /** Label values as scraped series have them, and any text. */
    public static Arbitrary<String> values() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "virt-handler-4kzvd", "kubevirt", "404", "+Inf", "worker-1", "é🚀", "a", "b"),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(6));
    }

    public static Arbitrary<Map<String, String>> labelSets() {
        return Arbitraries.maps(Arbitraries.of(NAMES), values()).ofMaxSize(NAMES.size());
    }

    public static Arbitrary<RelabelRule> rules() {
        Arbitrary<List<String>> sources = Arbitraries.of(NAMES).list().ofMinSize(1).ofMaxSize(3);
        Arbitrary<String> regex = Arbitraries.of(REGEXES);
        Arbitrary<String> target = Arbitraries.of("job", "pod", "x", "shard", "on_$1", "__name__");
        Arbitrary<String> replacement = Arbitraries.of(REPLACEMENTS);
        Arbitrary<RelabelAction> action = Arbitraries.of(RelabelAction.class);
        return Combinators.combine(sources, regex, target, replacement, action, Arbitraries.longs().between(1, 10))
                .as((s, r, t, rep, a, mod) -> rule(a, s, r, t, rep, mod))
                .filter(r -> r != null);
    }

    /** A rule of the action with what it needs, or null when Prometheus would reject the combination. */
    private static RelabelRule rule(RelabelAction action, List<String> sources, String regex, String target,
            String replacement, long modulus) {
        try {
            return switch (action) {
                case LABELDROP, LABELKEEP -> new RelabelRule(null, null, regex, null, null, null, action);
                case LABELMAP -> new RelabelRule(null, null, regex, null, null, "k_$1", action);
                case KEEPEQUAL, DROPEQUAL, LOWERCASE, UPPERCASE -> new RelabelRule(sources, null, null, null,
                        target.contains("$") ? "x" : target, null, action);
                case HASHMOD -> new RelabelRule(sources, null, null, modulus, "shard", null, action);
                default -> new RelabelRule(sources, "/", regex, null, target, replacement, action);
            };
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
