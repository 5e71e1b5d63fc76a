package io.kubevirt.metrics.gateway.merge;

import static io.kubevirt.metrics.gateway.merge.TargetExposition.STRIDE;

import io.kubevirt.metrics.gateway.parse.Escapes;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.MetricType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The merger's decisions, ready to write in the text format 0.0.4 or in OpenMetrics 1.0: the
 * families in output order, the parts each source gives to each, and the duplicates to leave out.
 * Both formats write the same series with the same values and timestamps; OpenMetrics adds the
 * targets' exemplars and units, regroups the families as OpenMetrics declares them (see
 * {@link OpenMetricsFamilies}) and ends with {@code # EOF}. Immutable once built; writing from
 * several threads at once is safe.
 */
public final class MergedExposition {
    private static final byte[] HELP = ascii("# HELP ");
    private static final byte[] TYPE = ascii("# TYPE ");
    private static final byte[] UNIT = ascii("# UNIT ");
    private static final byte[] EOF = ascii("# EOF\n");

    private final List<MergedFamily> families;
    private final MergeReport report;
    /** The namespace label values of the series, found on first use (by a tenant's request). */
    private volatile Set<String> namespaces;

    MergedExposition(List<MergedFamily> families, MergeReport report) {
        this.families = families;
        this.report = report;
    }

    public MergeReport report() {
        return report;
    }

    /** Writes the whole exposition in {@code format} to {@code out}. */
    public void write(ExpositionFormat format, ByteSink out) {
        out.reserve(outputSize());
        Writer writer = writer(format);
        while (writer.fill(out, Integer.MAX_VALUE)) {
            // fill() stops only at the end when the limit cannot be reached.
        }
    }

    /**
     * A writer of the exposition in {@code format} that writes it piece by piece, so that an
     * answer can be streamed in chunks without ever being whole in memory. Each writer is
     * independent: concurrent requests each take their own and share the merge.
     */
    public Writer writer(ExpositionFormat format) {
        return writer(format, null);
    }

    /**
     * A {@link #writer(ExpositionFormat)} that writes only the samples {@code filter} keeps (all
     * when null), and a family's HELP, TYPE and UNIT only once a sample of it is kept.
     */
    public Writer writer(ExpositionFormat format, SampleFilter filter) {
        return new Writer(format == ExpositionFormat.OPENMETRICS ? openMetricsSegments() : textSegments(), filter);
    }

    /**
     * The values of the series' {@code namespace} labels, unescaped: the namespaces a tenant's
     * request asks the API server about. Found once, on first use, by writing the series one at a
     * time (never the whole answer), and shared by every request for this merge.
     */
    public Set<String> namespaces() {
        Set<String> found = namespaces;
        if (found == null) {
            Set<String> collected = new TreeSet<>();
            Writer collector = writer(ExpositionFormat.TEXT, (line, start, end) -> {
                long value = NamespaceLabel.find(line, start, end);
                if (value >= 0) {
                    collected.add(Escapes.unescapeLabelValue(line, (int) (value >>> 32), (int) value));
                }
                return false; // Nothing is kept: the sink holds one line at a time.
            });
            ByteSink line = new ByteSink(1024);
            while (collector.fill(line, Integer.MAX_VALUE)) {
                // fill() stops only at the end when the limit cannot be reached.
            }
            namespaces = found = Collections.unmodifiableSet(collected);
        }
        return found;
    }

    /** Which samples a writer writes: a tenant's view. */
    public interface SampleFilter {
        /** Whether to keep the sample line the writer has just written at {@code line[start, end)} (no newline). */
        boolean keep(byte[] line, int start, int end);
    }

    /** Writes an exposition in order, a chunk at a time. Not thread safe. */
    public static final class Writer {
        private final List<Segment> segments;
        private final SampleFilter filter;
        /** With a filter: the current family's metadata, written before its first kept sample. */
        private byte[] pendingHeader;
        private int segment;
        private int from;

        private Writer(List<Segment> segments, SampleFilter filter) {
            this.segments = segments;
            this.filter = filter;
        }

        /**
         * Writes on until {@code out} holds at least {@code limit} bytes (whole lines only, so it
         * may hold a line more) or the exposition is complete.
         *
         * @return true while there is more to write
         */
        public boolean fill(ByteSink out, int limit) {
            while (segment < segments.size()) {
                int next = segments.get(segment).write(this, out, from, limit);
                if (next != Segment.DONE) {
                    from = next;
                    return true;
                }
                segment++;
                from = 0;
            }
            return false;
        }

        /** Writes a family's metadata, or keeps it for its first sample the filter keeps. */
        private void header(byte[] bytes, ByteSink out) {
            if (filter == null) {
                out.write(bytes);
            } else {
                pendingHeader = bytes; // Any earlier one's family had no sample kept.
            }
        }

        /** Writes a sample line, unless the filter drops it (then nothing of it stays in {@code out}). */
        private void sample(TargetExposition exp, int sample, Form form, ByteSink out) {
            if (filter == null) {
                writeSample(exp, sample, form, out);
                return;
            }
            int mark = out.size();
            if (pendingHeader != null) {
                out.write(pendingHeader);
            }
            int start = out.size();
            writeSample(exp, sample, form, out);
            if (filter.keep(out.array(), start, out.size() - 1)) {
                pendingHeader = null;
            } else {
                out.truncate(mark);
            }
        }
    }

    /** A run of the output: a header or a source's samples of a family, written resumably. */
    private interface Segment {
        int DONE = -1;

        /**
         * Writes from position {@code from} on until {@code out} reaches {@code limit}, through
         * {@code writer}; the next position, or DONE.
         */
        int write(Writer writer, ByteSink out, int from, int limit);
    }

    /** A family's metadata. */
    private record Header(byte[] bytes) implements Segment {
        @Override
        public int write(Writer writer, ByteSink out, int from, int limit) {
            writer.header(bytes, out);
            return DONE;
        }
    }

    /** OpenMetrics' {@code # EOF}, which every view ends with. */
    private record End() implements Segment {
        @Override
        public int write(Writer writer, ByteSink out, int from, int limit) {
            out.write(EOF);
            return DONE;
        }
    }

    /** One source's samples of one family, in order. */
    /**
     * How sample lines are written: OpenMetrics' timestamps are seconds, and it keeps exemplars
     * where its family's type has them (a counter's total, a histogram's buckets), not where the
     * family is written as another type (a name another target declared otherwise).
     */
    private enum Form {
        TEXT, OPENMETRICS, OPENMETRICS_WITH_EXEMPLARS;

        static Form openMetrics(MetricType type) {
            return type == MetricType.COUNTER || type == MetricType.HISTOGRAM || type == MetricType.GAUGEHISTOGRAM
                    ? OPENMETRICS_WITH_EXEMPLARS : OPENMETRICS;
        }
    }

    private record Samples(Part part, Form form) implements Segment {
        @Override
        public int write(Writer writer, ByteSink out, int from, int limit) {
            for (int i = from; i < part.family.size(); i++) {
                if (out.size() >= limit) {
                    return i;
                }
                if (!part.dropped(i)) {
                    writer.sample(part.exposition, part.family.sample(i), form, out);
                }
            }
            return DONE;
        }
    }

    /**
     * The samples of one source in an OpenMetrics family made of several 0.0.4 families (a
     * counter's {@code _total} and {@code _created}, say), in the order of the source's body, so
     * that a target's {@code x_total} and {@code x_created} lines of one series stay together.
     */
    private record Interleaved(List<Part> parts, int[] partOf, int[] indexOf, Form form) implements Segment {
        static Interleaved of(List<Part> parts, Form form) {
            int total = parts.stream().mapToInt(p -> p.family.size()).sum();
            int[] partOf = new int[total];
            int[] indexOf = new int[total];
            int[] next = new int[parts.size()];
            for (int n = 0; n < total; n++) {
                int best = -1;
                for (int k = 0; k < parts.size(); k++) {
                    if (next[k] < parts.get(k).family.size() && (best < 0
                            || parts.get(k).family.sample(next[k]) < parts.get(best).family.sample(next[best]))) {
                        best = k;
                    }
                }
                partOf[n] = best;
                indexOf[n] = next[best]++;
            }
            return new Interleaved(parts, partOf, indexOf, form);
        }

        @Override
        public int write(Writer writer, ByteSink out, int from, int limit) {
            for (int n = from; n < partOf.length; n++) {
                if (out.size() >= limit) {
                    return n;
                }
                Part part = parts.get(partOf[n]);
                if (!part.dropped(indexOf[n])) {
                    writer.sample(part.exposition, part.family.sample(indexOf[n]), form, out);
                }
            }
            return DONE;
        }
    }

    private List<Segment> textSegments() {
        List<Segment> segments = new ArrayList<>();
        for (MergedFamily family : families) {
            ByteSink header = new ByteSink(64);
            if (family.help != null) {
                header(HELP, family.name, family.help, header);
            }
            header(TYPE, family.name, family.type.text(), header);
            segments.add(new Header(header.toByteArray()));
            for (Part part : family.parts) {
                segments.add(new Samples(part, Form.TEXT));
            }
        }
        return segments;
    }

    private List<Segment> openMetricsSegments() {
        List<Segment> segments = new ArrayList<>();
        for (OpenMetricsFamilies.Group group : OpenMetricsFamilies.of(families)) {
            ByteSink header = new ByteSink(64);
            if (group.help() != null) {
                // OpenMetrics escapes the double quote in HELP too; the stored text is 0.0.4's.
                header(HELP, group.name(), group.help().replace("\"", "\\\""), header);
            }
            header(TYPE, group.name(), group.type().openMetricsText(), header);
            if (group.unit() != null) {
                header(UNIT, group.name(), group.unit(), header);
            }
            segments.add(new Header(header.toByteArray()));
            Form form = Form.openMetrics(group.type());
            if (group.members().size() == 1) {
                for (Part part : group.members().get(0).parts) {
                    segments.add(new Samples(part, form));
                }
                continue;
            }
            // Each source's parts of the group, sources in the order they first appear.
            Map<TargetExposition, List<Part>> bySource = new LinkedHashMap<>();
            for (MergedFamily member : group.members()) {
                for (Part part : member.parts) {
                    bySource.computeIfAbsent(part.exposition, e -> new ArrayList<>()).add(part);
                }
            }
            for (List<Part> parts : bySource.values()) {
                segments.add(parts.size() == 1 ? new Samples(parts.get(0), form) : Interleaved.of(parts, form));
            }
        }
        segments.add(new End());
        return segments;
    }

    private static void header(byte[] kind, String name, String text, ByteSink out) {
        out.write(kind);
        out.write(name);
        out.write((byte) ' ');
        out.write(text);
        out.write((byte) '\n');
    }

    /** An upper bound of the output's size, so that the sink is allocated once. */
    private long outputSize() {
        long size = EOF.length;
        for (MergedFamily family : families) {
            size += 3 * (family.name.length() + 16) + (family.help == null ? 0 : family.help.length() * 4L)
                    + (family.unit == null ? 0 : family.unit.length());
            for (Part part : family.parts) {
                TargetExposition exp = part.exposition;
                size += (long) part.family.size() * (exp.bytesPerSample() + exp.targetLabels.writtenAll.length + 24);
            }
        }
        return size;
    }

    /** Writes one sample line in {@code form}. */
    private static void writeSample(TargetExposition exp, int sample, Form form, ByteSink out) {
        writeSeries(exp, sample, out);
        out.write((byte) ' ');
        int o = STRIDE * sample;
        copy(exp, exp.samples[o + TargetExposition.VALUE_START], exp.samples[o + TargetExposition.VALUE_END], out);
        long timestamp = exp.timestamp(sample);
        if (timestamp != TargetExposition.NO_TIMESTAMP) {
            out.write((byte) ' ');
            if (form != Form.TEXT) {
                OpenMetricsTimestamps.write(timestamp, out);
            } else {
                out.writeLong(timestamp);
            }
        }
        long exemplar = form == Form.OPENMETRICS_WITH_EXEMPLARS ? exp.exemplar(sample) : -1;
        if (exemplar >= 0) {
            out.write((byte) ' ');
            copy(exp, (int) (exemplar >>> 32), (int) exemplar, out);
        }
        out.write((byte) '\n');
    }

    /** Writes a sample's name and labels, {@code name{a="1",b="2"}}, with its target labels. */
    static void writeSeries(TargetExposition exp, int sample, ByteSink out) {
        int o = STRIDE * sample;
        int[] s = exp.samples;
        copy(exp, s[o + TargetExposition.NAME_START], s[o + TargetExposition.NAME_END], out);
        int labelCount = s[o + TargetExposition.LABEL_COUNT];
        long mask = exp.targetMasks[sample];
        int l = 4 * s[o + TargetExposition.FIRST_LABEL];
        if (labelCount <= TargetExposition.COMPACT) { // The head was "name{labels"; what rules set follows.
            for (int j = TargetExposition.COMPACT; j > labelCount; j--, l += 4) {
                out.write((byte) ',');
                writeLabel(exp, l, out);
            }
            writeTargetLabels(exp.targetLabels, mask, true, out);
            out.write((byte) '}');
        } else if (labelCount > 0 || mask != 0) {
            out.write((byte) '{');
            for (int j = 0; j < labelCount; j++, l += 4) {
                if (j > 0) {
                    out.write((byte) ',');
                }
                writeLabel(exp, l, out);
            }
            writeTargetLabels(exp.targetLabels, mask, labelCount > 0, out);
            out.write((byte) '}');
        }
    }

    /** Writes {@code name="value"} of the label entry at {@code l}. */
    private static void writeLabel(TargetExposition exp, int l, ByteSink out) {
        copy(exp, exp.labels[l], exp.labels[l + 1], out);
        out.write((byte) '=');
        out.write((byte) '"');
        copy(exp, exp.labels[l + 2], exp.labels[l + 3], out);
        out.write((byte) '"');
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

    private static void copy(TargetExposition exp, int start, int end, ByteSink out) {
        out.write(exp.bufferAt(start), TargetExposition.offset(start), TargetExposition.offset(end));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A family of the text format 0.0.4 in the output, the parts of it each source gives, and the
     * OpenMetrics family it belongs to (as its first source declared it).
     */
    static final class MergedFamily {
        final String name;
        final MetricType type;
        final String openMetricsName;
        final MetricType openMetricsType;
        final String unit;
        String help;
        int size;
        final List<Part> parts = new ArrayList<>();

        MergedFamily(Family first) {
            this.name = first.name;
            this.type = first.type;
            this.openMetricsName = first.openMetricsName;
            this.openMetricsType = first.openMetricsType;
            this.unit = first.unit;
        }

        void add(TargetExposition exposition, Family family) {
            parts.add(new Part(exposition, family, size));
            size += family.size();
        }

        /** The part holding the family's sample number {@code ordinal}, counted over all parts. */
        Part partAt(int ordinal) {
            int low = 0;
            int high = parts.size() - 1;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (parts.get(mid).first <= ordinal) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            return parts.get(low);
        }
    }

    /** What one source gives to a family: its samples, from ordinal {@code first} on, less the duplicates. */
    static final class Part {
        final TargetExposition exposition;
        final Family family;
        final int first;
        private BitSet dropped;

        Part(TargetExposition exposition, Family family, int first) {
            this.exposition = exposition;
            this.family = family;
            this.first = first;
        }

        void drop(int i) {
            if (dropped == null) {
                dropped = new BitSet(family.size());
            }
            dropped.set(i);
        }

        boolean dropped(int i) {
            return dropped != null && dropped.get(i);
        }
    }
}
