package io.kubevirt.metrics.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.parse.ParseException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/** Checks on the gateway's output, with our own parser. */
public final class Expositions {
    private Expositions() {
    }

    /**
     * Parses the text and checks the merger's guarantees: valid syntax, one TYPE per family, every
     * sample under the TYPE of its family. Returns the sample lines.
     */
    public static List<String> checkValid(String exposition) throws ParseException {
        return checkValid(exposition, ExpositionFormat.TEXT);
    }

    /** {@link #checkValid(String)} for either format. */
    public static List<String> checkValid(String exposition, ExpositionFormat format) throws ParseException {
        byte[] b = exposition.getBytes(StandardCharsets.UTF_8);
        ExpositionParser parser = new ExpositionParser(b, b.length, format);
        Set<String> typed = new HashSet<>();
        List<String> samples = new ArrayList<>();
        String family = "";
        ExpositionParser.Entry entry;
        while ((entry = parser.next()) != null) {
            String name = new String(b, parser.nameStart(), parser.nameEnd() - parser.nameStart(),
                    StandardCharsets.UTF_8);
            if (entry == ExpositionParser.Entry.TYPE) {
                assertTrue(typed.add(name), "a second TYPE line for " + name);
                family = name;
            } else if (entry == ExpositionParser.Entry.SAMPLE) {
                assertTrue(name.startsWith(family), name + " is not in the family of the TYPE before it: " + family);
                samples.add(name);
            }
        }
        return samples;
    }

    /**
     * Every sample as Prometheus would store it, {@code name{sorted labels} value @timestamp-ms},
     * sorted: equal for two expositions that carry the same series, whatever their format.
     */
    public static List<String> series(String exposition, ExpositionFormat format) throws ParseException {
        byte[] b = exposition.getBytes(StandardCharsets.UTF_8);
        ExpositionParser parser = new ExpositionParser(b, b.length, format);
        List<String> series = new ArrayList<>();
        ExpositionParser.Entry entry;
        while ((entry = parser.next()) != null) {
            if (entry != ExpositionParser.Entry.SAMPLE) {
                continue;
            }
            TreeMap<String, String> labels = new TreeMap<>();
            for (int j = 0; j < parser.labelCount(); j++) {
                labels.put(text(b, parser.labelNameStart(j), parser.labelNameEnd(j)),
                        text(b, parser.labelValueStart(j), parser.labelValueEnd(j)));
            }
            String value = parser.specialValue() != null ? new String(parser.specialValue(), StandardCharsets.UTF_8)
                    : text(b, parser.valueStart(), parser.valueEnd());
            series.add(text(b, parser.nameStart(), parser.nameEnd()) + labels + " " + value
                    + (parser.hasTimestamp() ? " @" + parser.timestampMillis() : ""));
        }
        series.sort(null);
        return series;
    }

    private static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }

    /** The lines of the exposition that start with {@code prefix}. */
    public static List<String> lines(String exposition, String prefix) {
        return exposition.lines().filter(l -> l.startsWith(prefix)).toList();
    }
}
