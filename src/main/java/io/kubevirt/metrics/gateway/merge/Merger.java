package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.parse.ParseException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Merges the expositions of many sources into one, decided once and then written in either
 * format ({@link MergedExposition}), so that both formats carry exactly the same series.
 *
 * <p>Guarantees, which the text format requires and naive mergers break: one HELP and one TYPE
 * line per family; all samples of a family contiguous; no series twice. Families are written in
 * the order sources first show them; sources are taken in the order given, so the first source
 * wins every conflict: a family whose name another source already gave to another type is
 * dropped, and so is one whose series names would be read as part of another family (a gauge
 * {@code x_bucket} beside a histogram {@code x}); a series already seen is dropped. Every drop
 * is counted in the {@link MergeReport} and logged.
 */
public final class Merger {
    private static final Logger LOG = Logger.getLogger(Merger.class);

    /** A named exposition to merge; the name is for logs. */
    public record Source(String name, TargetExposition exposition) {
    }

    private Merger() {
    }

    /** Merges {@code sources}; nothing is copied, the result points into their expositions. */
    public static MergedExposition merge(List<Source> sources) {
        Map<String, MergedExposition.MergedFamily> table = new LinkedHashMap<>();
        Map<String, MergedExposition.MergedFamily> claims = new HashMap<>();
        int conflicts = 0;
        int total = 0;
        for (Source source : sources) {
            for (Family family : source.exposition().families) {
                MergedExposition.MergedFamily merged = table.get(family.name);
                if (merged == null && !claimed(family, claims)) {
                    merged = new MergedExposition.MergedFamily(family);
                    table.put(family.name, merged);
                    for (String name : family.claimedNames()) {
                        claims.put(name, merged);
                    }
                }
                if (merged == null || merged.type != family.type) {
                    conflicts += family.size();
                    LOG.debugf("dropped %d samples of %s %s from %s: the name is taken by another type",
                            family.size(), family.type.text(), family.name, source.name());
                    continue;
                }
                if (merged.help == null) {
                    merged.help = family.help;
                }
                merged.add(source.exposition(), family);
                total += family.size();
            }
        }
        List<MergedExposition.MergedFamily> families = new ArrayList<>(table.values());
        int duplicates = dropDuplicates(families);
        return new MergedExposition(families, new MergeReport(conflicts, duplicates, total - duplicates));
    }

    private static boolean claimed(Family family, Map<String, MergedExposition.MergedFamily> claims) {
        for (String name : family.claimedNames()) {
            if (claims.containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Marks every sample whose series an earlier sample of its family already has. A series can
     * only repeat within its family, so the index holds one family at a time. Equal hashes are
     * confirmed by comparing the series themselves, so a hash collision never drops a series.
     */
    private static int dropDuplicates(List<MergedExposition.MergedFamily> families) {
        SeriesIndex index = new SeriesIndex(families.stream().mapToInt(f -> f.size).max().orElse(0));
        ByteSink scratch = new ByteSink(256);
        int duplicates = 0;
        for (MergedExposition.MergedFamily family : families) {
            index.startFamily(family.size);
            int ordinal = 0;
            for (MergedExposition.Part part : family.parts) {
                for (int i = 0; i < part.family.size(); i++, ordinal++) {
                    int sample = part.family.sample(i);
                    int previous = index.putIfAbsent(part.exposition.hashes[sample], ordinal);
                    if (previous >= 0 && sameSeries(family, previous, part, sample, scratch)) {
                        part.drop(i);
                        duplicates++;
                        LOG.debugf("dropped a duplicate series of %s", family.name);
                    }
                }
            }
        }
        return duplicates;
    }

    /** Whether the family's sample number {@code earlier} (counted over its parts) is the same series as this one. */
    private static boolean sameSeries(MergedExposition.MergedFamily family, int earlier, MergedExposition.Part part,
            int sample, ByteSink scratch) {
        MergedExposition.Part earlierPart = family.partAt(earlier);
        int earlierSample = earlierPart.family.sample(earlier - earlierPart.first);
        return seriesKey(earlierPart.exposition, earlierSample, scratch)
                .equals(seriesKey(part.exposition, sample, scratch));
    }

    /** Name and sorted labels of a series, only computed when two series hash alike. */
    static String seriesKey(TargetExposition exposition, int sample, ByteSink scratch) {
        scratch.truncate(0);
        MergedExposition.writeSeries(exposition, sample, scratch);
        scratch.write(" 0\n".getBytes(StandardCharsets.US_ASCII));
        ExpositionParser parser = new ExpositionParser(scratch.array(), scratch.size(), ExpositionFormat.TEXT);
        try {
            parser.next();
        } catch (ParseException e) {
            throw new IllegalStateException("the merger wrote an invalid series", e);
        }
        byte[] b = parser.buffer();
        TreeMap<String, String> labels = new TreeMap<>();
        for (int j = 0; j < parser.labelCount(); j++) {
            labels.put(text(b, parser.labelNameStart(j), parser.labelNameEnd(j)),
                    text(b, parser.labelValueStart(j), parser.labelValueEnd(j)));
        }
        return text(b, parser.nameStart(), parser.nameEnd()) + labels;
    }

    private static String text(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }
}
