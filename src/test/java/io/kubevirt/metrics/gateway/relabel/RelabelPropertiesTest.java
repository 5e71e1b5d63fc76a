package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.parse.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Invariants of the relabel engine, over generated label sets and rules. */
class RelabelPropertiesTest {
    private static final List<String> NAMES = List.of("__name__", "job", "pod", "namespace", "node", "code", "le",
            "kubevirt_io", "__address__", "__meta_kubernetes_pod_name");
    private static final List<String> REGEXES = List.of("(.*)", ".*", "", "virt-.*", "(virt)-(\\w+)-(.*)", "[0-9]+",
            "kube.*|node", "(?i)VIRT.*", "a|b|c", "(.+)", "é.*", "job|pod", "__.*");
    private static final List<String> REPLACEMENTS = List.of("$1", "${1}_x", "$2$3", "fixed", "", "$$", "${name}",
            "é🚀");

    @Provide
    Arbitrary<Map<String, String>> labelSets() {
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.of("", "virt-handler-4kzvd", "kubevirt", "404", "+Inf", "worker-1", "é🚀", "a", "b"),
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12),
                Arbitraries.strings().all().ofMaxLength(6));
        return Arbitraries.maps(Arbitraries.of(NAMES), values).ofMaxSize(NAMES.size());
    }

    @Provide
    Arbitrary<RelabelRule> rules() {
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

    /** A label view over a map, as the gateway's reader gives one over a parsed sample. */
    record MapView(Map<String, String> labels) implements LabelView {
        private List<String> names() {
            return labels.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey).toList();
        }

        @Override
        public int size() {
            return names().size();
        }

        @Override
        public void name(int i, StringBuilder out) {
            out.append(names().get(i));
        }

        @Override
        public boolean value(String name, StringBuilder out) {
            String value = labels.get(name);
            if (value == null || value.isEmpty()) {
                return false;
            }
            out.append(value);
            return true;
        }
    }

    /** One runner over a run of series, as a reader uses it: what it remembers between series must not leak. */
    @Property(tries = 1000)
    void previewAgreesWithApplying(@ForAll("seriesRuns") List<Map<String, String>> run,
            @ForAll("rules") RelabelRule a, @ForAll("rules") RelabelRule b) {
        RelabelRules rules = new RelabelRules(List.of(a, b));
        RelabelRules.Runner runner = rules.runner();
        for (Map<String, String> labels : run) {
            SortedMap<String, String> applied = rules.apply(labels);
            int verdict = runner.preview(new MapView(labels));
            if (verdict == RelabelRules.Runner.DROPPED) {
                assertNull(applied);
            } else if (verdict == RelabelRules.Runner.UNCHANGED) {
                TreeMap<String, String> unchanged = new TreeMap<>(labels);
                unchanged.values().removeIf(String::isEmpty);
                assertEquals(unchanged, applied);
            } else {
                TreeMap<String, String> fromVerdict = new TreeMap<>(labels);
                assertEquals(applied, runner.applyInPlace(fromVerdict, verdict) ? fromVerdict : null);
            }
        }
    }

    /** Runs of label sets where neighbours often share labels, as series of one family do. */
    @Provide
    Arbitrary<List<Map<String, String>>> seriesRuns() {
        return labelSets().list().ofMinSize(1).ofMaxSize(8).map(sets -> {
            List<Map<String, String>> run = new ArrayList<>();
            for (Map<String, String> set : sets) {
                run.add(set);
                run.add(set); // The same input twice in a row.
            }
            return run;
        });
    }

    @Provide
    Arbitrary<String> regexPieces() {
        return Arbitraries.of("a", "b", "ab", "kube", "_", "-", "é", "🚀", "x", ".*", ".", "+", "?", "*", "{2}", "{0,1}",
                "(a|b)", "[0-9]", "\\d", "|", "(?i)", "(x)", "\\.", "$1").list().ofMinSize(1).ofMaxSize(6)
                .map(pieces -> String.join("", pieces))
                .filter(regex -> {
                    try {
                        com.google.re2j.Pattern.compile(regex);
                        return true;
                    } catch (com.google.re2j.PatternSyntaxException e) {
                        return false;
                    }
                });
    }

    /** The literal prefix that turns inputs away before the regex runs never turns away a match. */
    @Property(tries = 3000)
    void everyMatchStartsWithTheLiteralPrefix(@ForAll("regexPieces") String regex,
            @ForAll("inputs") String input) {
        com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile("^(?:" + regex + ")$");
        if (pattern.matcher(input).find()) {
            assertTrue(input.startsWith(RelabelRule.literalPrefix(regex)), regex + " matched " + input);
        }
    }

    @Provide
    Arbitrary<String> inputs() {
        return Arbitraries.oneOf(Arbitraries.strings().withChars("abkuex_-é09.ABXY").ofMaxLength(8),
                Arbitraries.of("", "🚀", "🚀🚀", "a🚀", "🚀a"));
    }

    @Property(tries = 1000)
    void resultsHaveValidNamesAndNoEmptyValues(@ForAll("labelSets") Map<String, String> labels,
            @ForAll("rules") RelabelRule rule) {
        SortedMap<String, String> result = new RelabelRules(List.of(rule)).apply(labels);
        if (result != null) {
            result.forEach((name, value) -> {
                assertTrue(Names.isLabelName(name), name);
                assertTrue(!value.isEmpty(), name);
            });
        }
    }

    @Property(tries = 500)
    void keepAndDropAreComplements(@ForAll("labelSets") Map<String, String> labels) {
        String regex = REGEXES.get(Math.floorMod(labels.hashCode(), REGEXES.size()));
        RelabelRule keep = new RelabelRule(List.of("pod", "job"), null, regex, null, null, null, RelabelAction.KEEP);
        RelabelRule drop = new RelabelRule(List.of("pod", "job"), null, regex, null, null, null, RelabelAction.DROP);
        boolean kept = new RelabelRules(List.of(keep)).apply(labels) != null;
        boolean notDropped = new RelabelRules(List.of(drop)).apply(labels) != null;
        assertTrue(kept != notDropped);
    }

    @Property(tries = 500)
    void labeldropAndLabelkeepSplitTheNames(@ForAll("labelSets") Map<String, String> labels) {
        for (String regex : REGEXES) {
            SortedMap<String, String> dropped = new RelabelRules(List.of(new RelabelRule(null, null, regex, null, null,
                    null, RelabelAction.LABELDROP))).apply(labels);
            SortedMap<String, String> kept = new RelabelRules(List.of(new RelabelRule(null, null, regex, null, null,
                    null, RelabelAction.LABELKEEP))).apply(labels);
            TreeMap<String, String> all = new TreeMap<>(dropped);
            all.putAll(kept);
            TreeMap<String, String> nonEmpty = new TreeMap<>(labels);
            nonEmpty.values().removeIf(String::isEmpty);
            assertEquals(nonEmpty, all);
            assertTrue(dropped.keySet().stream().noneMatch(kept::containsKey));
        }
    }

    @Property(tries = 500)
    void hashmodIsBelowTheModulus(@ForAll("labelSets") Map<String, String> labels,
            @ForAll @IntRange(min = 1, max = 1_000_000) int modulus) {
        SortedMap<String, String> result = new RelabelRules(List.of(new RelabelRule(List.of("pod", "node"), null,
                null, (long) modulus, "shard", null, RelabelAction.HASHMOD))).apply(labels);
        assertNotNull(result);
        long shard = Long.parseLong(result.get("shard"));
        assertTrue(shard >= 0 && shard < modulus);
    }

    @Property(tries = 500)
    void theRegexIsAnchored(@ForAll("labelSets") Map<String, String> labels) {
        String pod = labels.getOrDefault("pod", "");
        List<RelabelRule> rules = new ArrayList<>();
        rules.add(new RelabelRule(List.of("pod"), null, "virt", null, null, null, RelabelAction.KEEP));
        boolean kept = new RelabelRules(rules).apply(labels) != null;
        assertEquals(pod.equals("virt"), kept);
    }

    @Property(tries = 500)
    void applyingDoesNotChangeTheInput(@ForAll("labelSets") Map<String, String> labels,
            @ForAll("rules") RelabelRule rule) {
        TreeMap<String, String> before = new TreeMap<>(labels);
        new RelabelRules(List.of(rule)).apply(labels);
        assertEquals(before, new TreeMap<>(labels));
    }
}
