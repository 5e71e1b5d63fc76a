package io.kubevirt.metrics.gateway.merge;

import static io.kubevirt.metrics.gateway.merge.TargetExposition.STRIDE;

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
 * Merges the expositions of many sources into one valid text format 0.0.4 exposition.
 *
 * <p>Guarantees, which the text format requires and naive mergers break: one HELP and one TYPE
 * line per family; all samples of a family contiguous; no series twice. Families are written in
 * the order sources first show them; sources are taken in the order given, so the first source
 * wins every conflict: a family whose name another source already gave to another type is
 * dropped, and so is one whose series names would be read as part of another family (a gauge
 * {@code x_bucket} beside a histogram {@code x}); a series already written is dropped. Every drop
 * is counted in the {@link MergeReport} and logged.
 */
public final class Merger {
    private static final Logger LOG = Logger.getLogger(Merger.class);
    private static final byte[] HELP = "# HELP ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE = "# TYPE ".getBytes(StandardCharsets.US_ASCII);

    /** A named exposition to merge; the name is for logs. */
    public record Source(String name, TargetExposition exposition) {
    }

    private Merger() {
    }

    /** Writes the merged exposition of {@code sources} to {@code out}. */
    public static MergeReport merge(List<Source> sources, ByteSink out) {
        Map<String, MergedFamily> table = new LinkedHashMap<>();
        Map<String, MergedFamily> claims = new HashMap<>();
        int conflicts = 0;
        int total = 0;
        for (Source source : sources) {
            for (Family family : source.exposition().families) {
                MergedFamily merged = table.get(family.name);
                if (merged == null && !claimed(family, claims)) {
                    merged = new MergedFamily(family.name, family.type.text());
                    table.put(family.name, merged);
                    for (String name : family.claimedNames()) {
                        claims.put(name, merged);
                    }
                }
                if (merged == null || !merged.type.equals(family.type.text())) {
                    conflicts += family.size();
                    LOG.debugf("dropped %d samples of %s %s from %s: the name is taken by another type",
                            family.size(), family.type.text(), family.name, source.name());
                    continue;
                }
                if (merged.help == null) {
                    merged.help = family.help;
                }
                merged.parts.add(new Part(source.exposition(), family));
                merged.size += family.size();
                total += family.size();
            }
        }
        out.reserve(outputSize(table.values()));
        SeriesIndex index = new SeriesIndex(table.values().stream().mapToInt(f -> f.size).max().orElse(0));
        int duplicates = 0;
        for (MergedFamily family : table.values()) {
            writeHeader(family, out);
            index.startFamily(family.size);
            for (Part part : family.parts) {
                for (int i = 0; i < part.family.size(); i++) {
                    if (!writeSample(part.exposition, part.family.sample(i), out, index)) {
                        duplicates++;
                        LOG.debugf("dropped a duplicate series of %s", family.name);
                    }
                }
            }
        }
        return new MergeReport(conflicts, duplicates, total - duplicates);
    }

    /** An upper bound of the output's size, so that the sink is allocated once. */
    private static long outputSize(Iterable<MergedFamily> families) {
        long size = 0;
        for (MergedFamily family : families) {
            size += 2 * (family.name.length() + 16) + (family.help == null ? 0 : family.help.length() * 3L);
            for (Part part : family.parts) {
                TargetExposition exp = part.exposition;
                size += (long) part.family.size() * (exp.bytesPerSample() + exp.targetLabels.writtenAll.length + 24);
            }
        }
        return size;
    }

    private static boolean claimed(Family family, Map<String, MergedFamily> claims) {
        for (String name : family.claimedNames()) {
            if (claims.containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    private static void writeHeader(MergedFamily family, ByteSink out) {
        if (family.help != null) {
            out.write(HELP);
            out.write(family.name);
            out.write((byte) ' ');
            out.write(family.help);
            out.write((byte) '\n');
        }
        out.write(TYPE);
        out.write(family.name);
        out.write((byte) ' ');
        out.write(family.type);
        out.write((byte) '\n');
    }

    /** Writes one sample line; false (and nothing written) when the series was already written. */
    private static boolean writeSample(TargetExposition exp, int sample, ByteSink out, SeriesIndex index) {
        int start = out.size();
        int o = STRIDE * sample;
        int[] s = exp.samples;
        copy(exp, s[o + TargetExposition.NAME_START], s[o + TargetExposition.NAME_END], out);
        int labelCount = s[o + TargetExposition.LABEL_COUNT];
        long mask = exp.targetMasks[sample];
        if (labelCount == TargetExposition.COMPACT) {
            writeTargetLabels(exp.targetLabels, mask, true, out); // The head was "name{labels".
            out.write((byte) '}');
        } else if (labelCount > 0 || mask != 0) {
            out.write((byte) '{');
            int l = 4 * s[o + TargetExposition.FIRST_LABEL];
            for (int j = 0; j < labelCount; j++, l += 4) {
                if (j > 0) {
                    out.write((byte) ',');
                }
                copy(exp, exp.labels[l], exp.labels[l + 1], out);
                out.write((byte) '=');
                out.write((byte) '"');
                copy(exp, exp.labels[l + 2], exp.labels[l + 3], out);
                out.write((byte) '"');
            }
            writeTargetLabels(exp.targetLabels, mask, labelCount > 0, out);
            out.write((byte) '}');
        }
        out.write((byte) ' ');
        copy(exp, s[o + TargetExposition.VALUE_START], s[o + TargetExposition.VALUE_END], out);
        long timestamp = exp.timestamps[sample];
        if (timestamp != TargetExposition.NO_TIMESTAMP) {
            out.write((byte) ' ');
            out.writeLong(timestamp);
        }
        out.write((byte) '\n');
        int previous = index.putIfAbsent(exp.hashes[sample], start);
        if (previous >= 0 && seriesKey(out, previous).equals(seriesKey(out, start))) {
            out.truncate(start);
            return false;
        }
        return true;
    }

    /** Writes {@code ,name="value"} for every target label in the mask (no comma before the first unless asked). */
    private static void writeTargetLabels(TargetLabels target, long mask, boolean comma, ByteSink out) {
        if (mask == target.allMask && mask != 0) {
            out.write(target.writtenAll, comma ? 0 : 1, target.writtenAll.length); // Fast path: all of them.
            return;
        }
        for (long m = mask; m != 0; m &= m - 1) {
            byte[] label = target.written[Long.numberOfTrailingZeros(m)];
            out.write(label, comma || m != mask ? 0 : 1, label.length);
        }
    }

    /**
     * Name and sorted labels of the line written at {@code start}: only computed when two series
     * hash alike, to tell a duplicate from a hash collision.
     */
    private static String seriesKey(ByteSink out, int start) {
        ExpositionParser parser = new ExpositionParser(out.array(), start, out.size(), ExpositionFormat.TEXT);
        try {
            parser.next();
        } catch (ParseException e) {
            throw new IllegalStateException("the merger wrote an invalid line", e);
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

    private static void copy(TargetExposition exp, int start, int end, ByteSink out) {
        out.write(exp.bufferAt(start), TargetExposition.offset(start), TargetExposition.offset(end));
    }

    /** A family of the output and the parts of it each source gives. */
    private static final class MergedFamily {
        final String name;
        final String type;
        String help;
        int size;
        final List<Part> parts = new ArrayList<>();

        MergedFamily(String name, String type) {
            this.name = name;
            this.type = type;
        }
    }

    private record Part(TargetExposition exposition, Family family) {
    }
}
