package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.parse.Escapes;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.testing.OpenMetricsSuite;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official OpenMetrics 1.0 parser suite, case by case, as the gateway reads a target's body:
 * a case that must parse is read, merged and written in OpenMetrics again with every series,
 * value, timestamp, exemplar and metadata line it had, and the answer passes the same checks; a
 * case that must not parse fails, naming its line.
 */
class OpenMetricsSuiteTest {

    static List<OpenMetricsSuite.Case> cases() {
        return OpenMetricsSuite.cases();
    }

    @Test
    void theSuiteIsWhole() {
        assertEquals(OpenMetricsSuite.CASES, cases().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsTheCaseAsTheSuiteSays(OpenMetricsSuite.Case c) throws ParseException {
        byte[] body = c.body();
        if (!c.shouldParse()) {
            ParseException e = assertThrows(ParseException.class, () -> TargetExpositionReader.read(body, body.length,
                    ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE), "accepted");
            assertTrue(e.getMessage().matches("line \\d+: .+"), e.getMessage());
            return;
        }
        TargetExposition exposition = TargetExpositionReader.read(body, body.length, ExpositionFormat.OPENMETRICS,
                SeriesLabeling.NONE);
        ByteSink out = new ByteSink(256);
        Merger.merge(List.of(new Merger.Source(c.name(), exposition))).write(ExpositionFormat.OPENMETRICS, out);
        byte[] answer = out.toByteArray();
        String shown = out.toString();
        TargetExpositionReader.read(answer, answer.length, ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE);
        assertEquals(content(body), content(answer), shown);
    }

    /**
     * Every case that must parse, each a target of its own, merged into one answer: valid
     * OpenMetrics too, though the cases declare the same names with other types.
     */
    @Test
    void theCasesMergedMakeOneValidAnswer() throws ParseException {
        List<Merger.Source> sources = new ArrayList<>();
        for (OpenMetricsSuite.Case c : cases()) {
            if (c.shouldParse()) {
                sources.add(new Merger.Source(c.name(), TargetExpositionReader.read(c.body(), c.body().length,
                        ExpositionFormat.OPENMETRICS, new SeriesLabeling(TargetLabels.of(Map.of("case", c.name())),
                                true, RelabelRules.NONE))));
            }
        }
        ByteSink out = new ByteSink(1 << 16);
        Merger.merge(sources).write(ExpositionFormat.OPENMETRICS, out);
        byte[] answer = out.toByteArray();
        try {
            TargetExpositionReader.read(answer, answer.length, ExpositionFormat.OPENMETRICS, SeriesLabeling.NONE);
        } catch (ParseException e) {
            String[] lines = out.toString().split("\n");
            int at = e.line() - 1;
            throw new AssertionError(e.getMessage() + " in:\n" + String.join("\n", java.util.Arrays.copyOfRange(lines,
                    Math.max(0, at - 12), Math.min(lines.length, at + 3))), e);
        }
    }

    /**
     * What a body carries, as a set of lines that do not depend on how it is written: each
     * series' first sample (name, unescaped labels, value as a number, timestamp in milliseconds,
     * exemplar) and the metadata of each family that has samples (a family without any is not
     * written; neither is a TYPE of unknown, which OpenMetrics means when there is none).
     */
    private static Set<String> content(byte[] b) throws ParseException {
        ExpositionParser parser = new ExpositionParser(b, b.length, ExpositionFormat.OPENMETRICS);
        Set<String> series = new TreeSet<>();
        Set<String> seen = new LinkedHashSet<>();
        Map<String, List<String>> metadata = new TreeMap<>();
        ExpositionParser.Entry entry;
        while ((entry = parser.next()) != null) {
            String name = text(b, parser.nameStart(), parser.nameEnd());
            switch (entry) {
                case SAMPLE -> {
                    Map<String, String> labels = new TreeMap<>();
                    for (int j = 0; j < parser.labelCount(); j++) {
                        labels.put(text(b, parser.labelNameStart(j), parser.labelNameEnd(j)),
                                Escapes.unescapeLabelValue(b, parser.labelValueStart(j), parser.labelValueEnd(j)));
                    }
                    String key = name + labels;
                    if (!seen.add(key)) {
                        continue; // Prometheus keeps the first sample of a series, and so does the merger.
                    }
                    String value = parser.specialValue() != null
                            ? new String(parser.specialValue(), StandardCharsets.US_ASCII)
                            : Double.toString(Double.parseDouble(text(b, parser.valueStart(), parser.valueEnd())));
                    byte[] exemplar = parser.exemplar();
                    series.add(key + " " + value + (parser.hasTimestamp() ? " @" + parser.timestampMillis() : "")
                            + (exemplar == null ? "" : " " + new String(exemplar, StandardCharsets.UTF_8)));
                }
                case TYPE -> metadata.computeIfAbsent(name, n -> new ArrayList<>()).add(
                        parser.type().openMetricsText().equals("unknown") ? ""
                                : "TYPE " + name + " " + parser.type().openMetricsText());
                case HELP -> metadata.computeIfAbsent(name, n -> new ArrayList<>()).add("HELP " + name + " "
                        + Escapes.unescapeHelp(b, parser.textStart(), parser.textEnd(), ExpositionFormat.OPENMETRICS));
                case UNIT -> metadata.computeIfAbsent(name, n -> new ArrayList<>()).add("UNIT " + name + " "
                        + text(b, parser.textStart(), parser.textEnd()));
                default -> throw new AssertionError(entry);
            }
        }
        Set<String> all = new TreeSet<>(series);
        metadata.forEach((family, lines) -> {
            if (seen.stream().anyMatch(key -> key.startsWith(family))) {
                lines.stream().filter(line -> !line.isEmpty()).forEach(all::add);
            }
        });
        return all;
    }

    private static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }
}
