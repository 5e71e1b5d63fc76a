package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kubevirt.metrics.gateway.parse.Escapes;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.parse.Names;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.RelabelRule;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import io.kubevirt.metrics.gateway.testing.RelabelArbitraries;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Metric relabeling as the reader does it (on a view of the parsed sample, remembering outcomes
 * from one series to the next, writing what it changes beside the body) gives every series what
 * relabeling a freshly decoded map of that series alone gives.
 */
class MetricRelabelingPropertiesTest {
    private static final List<String> METRICS = List.of("kubevirt_vmi_memory_used_bytes", "virt_api_up", "job");
    private static final List<String> LABELS = List.of("job", "pod", "namespace", "node", "name", "kubevirt_io",
            "__address__", "le");
    private static final Map<String, String> TARGET = Map.of("job", "kubevirt", "pod", "virt-handler-4kzvd",
            "instance", "10.244.0.7:8443", "namespace", "kubevirt");

    record Series(String name, Map<String, String> labels, boolean spaced) {
        String line() {
            StringBuilder out = new StringBuilder(name);
            if (!labels.isEmpty()) {
                out.append('{');
                labels.forEach((n, v) -> out.append(n).append("=\"").append(Escapes.escapeLabelValue(v))
                        .append(spaced ? "\", " : "\","));
                out.setLength(out.length() - (spaced ? 2 : 1));
                out.append('}');
            }
            return out.append(" 1\n").toString();
        }
    }

    /** Runs of series where neighbours share their name and label names, as in a family. */
    @Provide
    Arbitrary<List<Series>> bodies() {
        Arbitrary<Map<String, String>> labels = Arbitraries.maps(Arbitraries.of(LABELS), utf8Values())
                .ofMaxSize(5);
        Arbitrary<Series> series = Combinators.combine(Arbitraries.of(METRICS), labels, Arbitraries.of(false, true))
                .as(Series::new);
        return series.list().ofMinSize(1).ofMaxSize(6).flatMap(firsts -> Arbitraries.of(0, 1, 2, 3).list()
                .ofSize(firsts.size()).flatMap(repeats -> utf8Values().list().ofSize(4 * firsts.size())
                        .map(values -> {
                            List<Series> run = new ArrayList<>();
                            for (int i = 0; i < firsts.size(); i++) {
                                Series first = firsts.get(i);
                                run.add(first);
                                for (int r = 0; r < repeats.get(i) && !first.labels().isEmpty(); r++) {
                                    // The same names, one value changed, as the next series of a family.
                                    Map<String, String> next = new TreeMap<>(first.labels());
                                    next.put(next.keySet().iterator().next(), values.get(4 * i + r));
                                    run.add(new Series(first.name(), next, first.spaced()));
                                }
                            }
                            return run;
                        })));
    }

    /** Values a body can hold: text that UTF-8 can encode (no lone surrogates). */
    private static Arbitrary<String> utf8Values() {
        return RelabelArbitraries.values().map(v -> new String(v.getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<List<RelabelRule>> ruleLists() {
        return RelabelArbitraries.rules().list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = 1500)
    void everySeriesGetsWhatRelabelingItAloneGives(@ForAll("bodies") List<Series> body,
            @ForAll("ruleLists") List<RelabelRule> ruleList, @ForAll boolean honorLabels) {
        RelabelRules rules = new RelabelRules(ruleList);
        TargetLabels target = TargetLabels.of(TARGET);
        TreeSet<String> expected;
        try {
            expected = expected(body, rules, target, honorLabels);
        } catch (IllegalArgumentException e) {
            assertThrows(ParseException.class, () -> read(body, new SeriesLabeling(target, honorLabels, rules)));
            return;
        }
        TreeSet<String> actual = assertDoesNotThrow(() -> read(body, new SeriesLabeling(target, honorLabels, rules)));
        TreeSet<String> missing = new TreeSet<>(expected);
        missing.removeAll(actual);
        TreeSet<String> extra = new TreeSet<>(actual);
        extra.removeAll(expected);
        assertEquals("", missing.isEmpty() && extra.isEmpty() ? "" : printable("missing " + missing + ", extra "
                + extra + ", rules " + ruleList));
    }

    /** Anything but printable ASCII as escapes, so that a failure's message shows all of it. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c)
                : Character.toString(c)));
        return out.toString();
    }

    /** The series that relabeling each series' decoded map gives: name and sorted labels. */
    private static TreeSet<String> expected(List<Series> body, RelabelRules rules, TargetLabels target,
            boolean honorLabels) {
        TreeSet<String> out = new TreeSet<>();
        for (Series s : body) {
            TreeMap<String, String> series = new TreeMap<>(s.labels());
            series.put("__name__", s.name());
            if (honorLabels) {
                LabelConflicts.attachHonoring(series, target);
            } else {
                series = LabelConflicts.attachNotHonoring(series, target);
            }
            SortedMap<String, String> result = rules.apply(series);
            if (result == null) {
                continue;
            }
            String name = result.remove("__name__");
            if (name == null || !Names.isMetricName(name)
                    || !result.keySet().stream().allMatch(Names::isLabelName)) {
                throw new IllegalArgumentException("relabeling made " + s + " invalid");
            }
            out.add(name + result);
        }
        return out;
    }

    /** The series the reader gives, written by the merger and parsed back. */
    private static TreeSet<String> read(List<Series> body, SeriesLabeling labeling) throws ParseException {
        StringBuilder text = new StringBuilder();
        body.forEach(s -> text.append(s.line()));
        byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
        TargetExposition exposition = TargetExpositionReader.read(b, b.length, ExpositionFormat.TEXT, labeling);
        ByteSink out = new ByteSink(64);
        Merger.merge(List.of(new Merger.Source("target", exposition))).write(ExpositionFormat.TEXT, out);
        ExpositionParser parser = new ExpositionParser(out.array(), out.size(), ExpositionFormat.TEXT);
        TreeSet<String> series = new TreeSet<>();
        ExpositionParser.Entry entry;
        while ((entry = parser.next()) != null) {
            if (entry != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            byte[] buf = parser.buffer();
            TreeMap<String, String> labels = new TreeMap<>();
            for (int j = 0; j < parser.labelCount(); j++) {
                String value = Escapes.unescapeLabelValue(buf, parser.labelValueStart(j), parser.labelValueEnd(j));
                if (!value.isEmpty()) {
                    labels.put(new String(buf, parser.labelNameStart(j), parser.labelNameEnd(j)
                            - parser.labelNameStart(j), StandardCharsets.US_ASCII), value);
                }
            }
            series.add(new String(buf, parser.nameStart(), parser.nameEnd() - parser.nameStart(),
                    StandardCharsets.US_ASCII) + labels);
        }
        return series;
    }
}
