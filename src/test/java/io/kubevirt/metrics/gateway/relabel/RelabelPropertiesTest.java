package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.parse.Names;
import io.kubevirt.metrics.gateway.testing.RelabelArbitraries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Invariants of the relabel engine, over generated label sets and rules. */
class RelabelPropertiesTest {
    private static final List<String> REGEXES = RelabelArbitraries.REGEXES;

    @Provide
    Arbitrary<Map<String, String>> labelSets() {
        return RelabelArbitraries.labelSets();
    }

    @Provide
    Arbitrary<RelabelRule> rules() {
        return RelabelArbitraries.rules();
    }

    /** One runner over a run of series, as a reader uses it: what it remembers between series must not leak. */
    @Property(tries = 1000)
    void aRunnerGivesEachSeriesWhatAFreshOneGives(@ForAll("seriesRuns") List<Map<String, String>> run,
            @ForAll("rules") RelabelRule a, @ForAll("rules") RelabelRule b) {
        RelabelRules rules = new RelabelRules(List.of(a, b));
        RelabelRules.Runner runner = rules.runner();
        for (Map<String, String> labels : run) {
            TreeMap<String, String> reused = new TreeMap<>(labels);
            boolean kept = runner.apply(new MapLabels(reused));
            assertEquals(rules.apply(labels), kept ? reused : null);
        }
    }

    /**
     * Drop, keep and replace decide as RE2 on the joined values says, over a run of series through
     * one runner: inputs turned away for the regex's prefix or literals, remembered decisions and
     * escapes in the values (the runner compares escaped bytes) change nothing.
     */
    @Property(tries = 2000)
    void dropKeepAndReplaceDecideAsTheRegexOnTheJoinedValues(@ForAll("prefixValueRuns") List<Map<String, String>> run,
            @ForAll("prefixRegexes") String regex, @ForAll boolean twoSources) {
        List<String> sources = twoSources ? List.of("a", "b") : List.of("a");
        com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile("^(?:" + regex + ")$");
        RelabelRules.Runner keep = new RelabelRules(List.of(new RelabelRule(sources, ";", regex, null, null, null,
                RelabelAction.KEEP))).runner();
        RelabelRules.Runner drop = new RelabelRules(List.of(new RelabelRule(sources, ";", regex, null, null, null,
                RelabelAction.DROP))).runner();
        RelabelRules.Runner replace = new RelabelRules(List.of(new RelabelRule(sources, ";", regex, null, "t", "v",
                RelabelAction.REPLACE))).runner();
        for (Map<String, String> labels : run) {
            String joined = String.join(";", sources.stream().map(l -> labels.getOrDefault(l, "")).toList());
            boolean matches = pattern.matcher(joined).find();
            assertEquals(matches, keep.apply(new MapLabels(new TreeMap<>(labels))), regex + " keep " + joined);
            assertEquals(!matches, drop.apply(new MapLabels(new TreeMap<>(labels))), regex + " drop " + joined);
            TreeMap<String, String> replaced = new TreeMap<>(labels);
            replace.apply(new MapLabels(replaced));
            assertEquals(matches ? "v" : labels.get("t"), replaced.get("t"), regex + " replace " + joined);
        }
    }

    @Provide
    Arbitrary<String> prefixRegexes() {
        return Arbitraries.of("ci", "ci.*", "kube(.*)", "kube_.*;x", "a;b.*", "ab?c", "c(i)?", "x\\\\y.*",
                "x\".*", ";.*", "é.*", "kube", ".*;ci", "ci;ci");
    }

    /** Values near the prefixes above, with what the text format escapes and the separator. */
    @Provide
    Arbitrary<List<Map<String, String>>> prefixValueRuns() {
        Arbitrary<String> value = Arbitraries.of("ci", "c", "kube", "kube_", "x", "a", "b", "\\", "\"", "\n", ";",
                "é", "y").list().ofMaxSize(4).map(parts -> String.join("", parts));
        Arbitrary<Map<String, String>> labels = Arbitraries.maps(Arbitraries.of("a", "b", "t"), value).ofMaxSize(3)
                .map(m -> {
                    Map<String, String> out = new TreeMap<>(m);
                    out.values().removeIf(String::isEmpty);
                    out.put("__name__", "m");
                    return out;
                });
        return labels.list().ofMinSize(1).ofMaxSize(10);
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
