package io.kubevirt.metrics.gateway.merge;

import static io.kubevirt.metrics.gateway.merge.TargetExposition.EXTRA;
import static io.kubevirt.metrics.gateway.merge.TargetExposition.STRIDE;

import io.kubevirt.metrics.gateway.parse.ByteRuns;
import io.kubevirt.metrics.gateway.parse.Escapes;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.parse.ExpositionParser;
import io.kubevirt.metrics.gateway.parse.MetricType;
import io.kubevirt.metrics.gateway.parse.Names;
import io.kubevirt.metrics.gateway.parse.OpenMetricsRules;
import io.kubevirt.metrics.gateway.parse.ParseException;
import io.kubevirt.metrics.gateway.relabel.MapLabels;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads one scraped body into a {@link TargetExposition}: parses it, gives every sample its target
 * labels and runs the metric relabel rules, and groups the samples into the families the text
 * format 0.0.4 will write (OpenMetrics counters become {@code <name>_total} families, their
 * {@code _created} series gauges of their own, as the Prometheus client libraries write them).
 *
 * <p>Fast path, taken for every sample that the metric rules (if any) leave as it is: nothing is
 * copied or decoded; the sample keeps positions into the body and a bit mask of the target labels
 * it gets. The rules run on a view of the parsed sample ({@link SampleLabels}) that keeps their
 * changes beside it: a changed sample keeps what they did not touch by position, and only what
 * they set is written, into the exposition's extra buffer, as are re-escaped values. Only label
 * conflicts under {@code honor_labels: false} and targets of more than 64 labels take the slow
 * path, which decodes the sample into a map.
 */
public final class TargetExpositionReader {
    private static final String[] SUFFIXES = {"", "_total", "_created", "_bucket", "_sum", "_count", "_info",
        "_gsum", "_gcount"};
    private static final int NONE = 0;
    private static final int TOTAL = 1;
    private static final int CREATED = 2;
    private static final int BUCKET = 3;
    private static final int SUM = 4;
    private static final int COUNT = 5;
    private static final int INFO = 6;
    private static final int GSUM = 7;
    private static final int GCOUNT = 8;
    private static final int BYTES_PER_SAMPLE_ESTIMATE = 160;
    private static final byte[][] SUFFIX_BYTES = Arrays.stream(SUFFIXES)
            .map(s -> s.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

    private final ExpositionParser parser;
    private final byte[] body;
    private final ExpositionFormat format;
    private final SeriesLabeling labeling;
    private final TargetLabels targetLabels;
    private final boolean fastPath;
    private final RelabelRules.Runner rules;
    /** Whether there are metric relabel rules to run. */
    private final boolean ruled;
    private final SampleLimits limits;
    private final SampleLabels sampleLabels;
    /** The parser's label indexes of a changed sample's kept labels. */
    private int[] kept = new int[16];
    private final ByteSink extra = new ByteSink(64);
    private final Map<byte[], Integer> specialPositions = new IdentityHashMap<>();
    private final Map<String, Declaration> declarations = new HashMap<>();
    private final Map<String, Family> families = new LinkedHashMap<>();
    private Declaration current;
    private Family lastFamily;
    private int lastNameStart;
    private int lastNameEnd;
    /** The hash of the name at [lastNameStart, lastNameEnd): most samples repeat the name before them. */
    private long lastNameHash;

    private int[] samples;
    private final SparseSamples.Builder timestamps = new SparseSamples.Builder();
    private long[] masks;
    private long[] hashes;
    private int[] labels;
    private int count;
    private int labelTotal;
    private int scraped;
    /** Where the canonical text of the samples' exemplars is in extra. */
    private final SparseSamples.Builder exemplars = new SparseSamples.Builder();

    private TargetExpositionReader(byte[] body, int length, ExpositionFormat format, SeriesLabeling labeling,
            int lastSamples, IndexSpares.Spare spare) {
        this.parser = new ExpositionParser(body, length, format).limitLineLength(labeling.limits().lineLength());
        // Sized so that the arrays rarely grow (growing doubles them): from the target's last
        // scrape, with a little room; without one from the body: KubeVirt's series take about 200
        // bytes and six labels each, and the estimate errs on the side of more, smaller series.
        int expectedSamples = Math.max(64, lastSamples >= 0 ? lastSamples + lastSamples / 32
                : length / BYTES_PER_SAMPLE_ESTIMATE);
        if (spare != null && spare.fits(expectedSamples)) {
            this.samples = spare.samples; // Written before read, sample by sample: what was there stays unread.
            this.masks = spare.masks;
            this.hashes = spare.hashes;
        } else {
            this.samples = new int[STRIDE * expectedSamples];
            this.masks = new long[expectedSamples];
            this.hashes = new long[expectedSamples];
        }
        this.labels = new int[4 * 64]; // Grows only for samples not written compactly: few, unless rules change each.
        this.body = body;
        this.format = format;
        this.labeling = labeling;
        this.targetLabels = labeling.targetLabels();
        this.fastPath = targetLabels.size() <= 64;
        this.rules = labeling.metricRules().runner();
        this.ruled = !labeling.metricRules().isEmpty();
        this.limits = labeling.limits();
        this.sampleLabels = new SampleLabels(body, parser, targetLabels, labeling.honorLabels());
    }

    /**
     * Reads {@code body[0, length)}. The body must not change afterwards: the result points into it.
     *
     * @throws ParseException when the body is not valid, or metric relabeling made a series invalid
     *     (Prometheus fails such a scrape too); it tells how many samples were read and kept before
     */
    public static TargetExposition read(byte[] body, int length, ExpositionFormat format, SeriesLabeling labeling)
            throws ParseException {
        return read(body, length, format, labeling, -1, null);
    }

    /**
     * {@link #read(byte[], int, ExpositionFormat, SeriesLabeling)} of a target that had {@code
     * lastSamples} samples last time (-1: unknown), into its {@code spare} index arrays (null:
     * none) when they fit.
     */
    public static TargetExposition read(byte[] body, int length, ExpositionFormat format, SeriesLabeling labeling,
            int lastSamples, IndexSpares.Spare spare) throws ParseException {
        if (length >= EXTRA) {
            throw new ParseException(0, "body of " + length + " bytes is larger than the parser's limit");
        }
        TargetExpositionReader reader = new TargetExpositionReader(body, length, format, labeling, lastSamples, spare);
        try {
            return reader.read();
        } catch (ParseException e) {
            throw e.afterSamples(reader.scraped, reader.count);
        }
    }

    private TargetExposition read() throws ParseException {
        OpenMetricsRules openMetricsRules = format == ExpositionFormat.OPENMETRICS ? new OpenMetricsRules() : null;
        ExpositionParser.Entry entry;
        while ((entry = parser.next()) != null) {
            if (openMetricsRules != null) {
                openMetricsRules.check(parser, entry);
            }
            switch (entry) {
                case HELP -> {
                    Declaration d = declare();
                    if (d.help == null) {
                        d.help = parser.textCanonical()
                                ? new String(body, parser.textStart(), parser.textEnd() - parser.textStart(),
                                        StandardCharsets.UTF_8)
                                : Escapes.canonicalHelp(body, parser.textStart(), parser.textEnd(), format);
                    }
                }
                case TYPE -> {
                    Declaration d = declare();
                    if (d.type == null) {
                        d.type = parser.type();
                    }
                }
                case UNIT -> {
                    Declaration d = declare();
                    if (d.unit == null && parser.textEnd() > parser.textStart()) {
                        d.unit = new String(body, parser.textStart(), parser.textEnd() - parser.textStart(),
                                StandardCharsets.UTF_8);
                    }
                }
                case SAMPLE -> sample();
                default -> throw new IllegalStateException(entry.name());
            }
        }
        if (openMetricsRules != null) {
            openMetricsRules.finish(parser.line());
        }
        for (Declaration d : declarations.values()) {
            for (Family f : d.bySuffix) {
                if (f != null && f.help == null) {
                    f.help = d.help;
                }
                if (f != null && f.openMetricsName.equals(d.name)) {
                    f.unit = d.unit;
                }
            }
        }
        return new TargetExposition(body, parser.limit(), extra.toByteArray(), samples, labels, timestamps.build(),
                masks, hashes, count, scraped, new ArrayList<>(families.values()), targetLabels, exemplars.build());
    }

    private Declaration declare() {
        String name = new String(body, parser.nameStart(), parser.nameEnd() - parser.nameStart(),
                StandardCharsets.US_ASCII);
        current = declarations.computeIfAbsent(name, Declaration::new);
        return current;
    }

    private void sample() throws ParseException {
        scraped++;
        int nameStart = parser.nameStart();
        int nameEnd = parser.nameEnd();
        if (!fastPath || !sampleLabels.prepare(ruled)) {
            slowSample(nameStart, nameEnd); // More than 64 target labels, or an exported_ conflict.
            return;
        }
        if (ruled && !rules.apply(sampleLabels)) {
            return; // Dropped by a rule.
        }
        if (sampleLabels.changed()) {
            changedSample(nameStart, nameEnd);
        } else {
            fastSample(nameStart, nameEnd, sampleLabels.mask());
        }
    }

    /** Records the sample as positions into the body, with the target labels of {@code mask}. */
    private void fastSample(int nameStart, int nameEnd, long mask) throws ParseException {
        int n = parser.labelCount();
        if (limits.checksLabels()) {
            checkLimits(nameStart, nameEnd, mask);
        }
        Family family = resolve(body, nameStart, nameEnd);
        long hash = lastNameHash + targetLabels.pairHashes(mask); // resolve made the name the last one.
        if (compact(nameEnd)) {
            for (int j = 0; j < n; j++) {
                hash += compactLabelHash(j);
            }
            addSample(family, nameStart, headEnd(), labelTotal, true, mask, hash);
            return;
        }
        int first = labelTotal;
        for (int j = 0; j < n; j++) {
            hash += addBodyLabel(j);
        }
        addSample(family, nameStart, nameEnd, first, false, mask, hash);
    }

    /**
     * Records a sample that metric relabeling changed: the labels no rule touched by position (in
     * the body, target labels by mask), and what the rules set written anew into extra.
     */
    private void changedSample(int nameStart, int nameEnd) throws ParseException {
        int ns = nameStart;
        int ne = nameEnd;
        String name = sampleLabels.newMetricName();
        if (name != null) {
            checkMetricName(name);
            ns = EXTRA + extra.size();
            extra.write(name);
            ne = EXTRA + extra.size();
        }
        long mask = sampleLabels.keptMask();
        int first = labelTotal;
        long hash = LabelHash.name(bufferAt(ns), offset(ns), offset(ne)) + targetLabels.pairHashes(mask);
        if (kept.length < parser.labelCount()) {
            kept = new int[parser.labelCount()];
        }
        int keptCount = sampleLabels.keptLabels(kept);
        // Rules that only add labels or change target labels (a cluster label, a pod's short
        // name) leave a compact head whole: it is copied in one piece, what they set after it.
        // Not under label limits: checkRecordedLimits sees only recorded labels, so each is recorded.
        boolean compact = name == null && keptCount == parser.labelCount() && !limits.checksLabels()
                && compact(nameEnd);
        for (int k = 0; k < keptCount; k++) {
            hash += compact ? compactLabelHash(kept[k]) : addBodyLabel(kept[k]);
        }
        for (int c = 0; c < sampleLabels.changes(); c++) {
            String label = sampleLabels.changedLabel(c);
            byte[] value = sampleLabels.changedEscaped(c);
            if (value.length == 0 || label.equals(SampleLabels.NAME)) {
                continue; // Removed, or the name (written above).
            }
            checkLabelName(label);
            int lns = EXTRA + extra.size();
            extra.write(label);
            int lne = EXTRA + extra.size();
            extra.write(value);
            int lve = EXTRA + extra.size();
            addLabel(lns, lne, lne, lve);
            hash += LabelHash.pair(extra.array(), offset(lns), offset(lne), extra.array(), offset(lne), offset(lve));
        }
        if (limits.checksLabels()) {
            checkRecordedLimits(ns, ne, first, mask);
        }
        addSample(resolve(bufferAt(ns), offset(ns), offset(ne)), ns, compact ? headEnd() : ne, first, compact, mask,
                hash);
    }

    /** The hash of the parser's label {@code j} of a {@link #compact} sample: its value needs no re-escaping. */
    private long compactLabelHash(int j) {
        return LabelHash.pair(body, parser.labelNameStart(j), parser.labelNameEnd(j), body, parser.labelValueStart(j),
                parser.labelValueEnd(j));
    }

    /** The end of a {@link #compact} sample's head, {@code name{a="1",b="2"}} without the closing brace. */
    private int headEnd() {
        return parser.labelValueEnd(parser.labelCount() - 1) + 1;
    }

    /** Records the parser's label {@code j} (canonically escaped, in extra when the body's escapes are not); its hash. */
    private long addBodyLabel(int j) {
        int ns = parser.labelNameStart(j);
        int ne = parser.labelNameEnd(j);
        int vs = parser.labelValueStart(j);
        int ve = parser.labelValueEnd(j);
        if (!parser.labelValueCanonical(j)) {
            byte[] canonical = Escapes.canonicalLabelValue(body, vs, ve);
            vs = EXTRA + extra.size();
            extra.write(canonical);
            ve = EXTRA + extra.size();
        }
        addLabel(ns, ne, vs, ve);
        return LabelHash.pair(body, ns, ne, bufferAt(vs), offset(vs), offset(ve));
    }

    /** The limits on the parsed sample with the target labels of {@code mask} (the series as it will be written). */
    private void checkLimits(int nameStart, int nameEnd, long mask) throws ParseException {
        String metric = checkNameAndCount(nameStart, nameEnd, parser.labelCount(), mask);
        for (int j = 0; j < parser.labelCount(); j++) {
            checkLabel(metric, parser.labelNameStart(j), parser.labelNameEnd(j), parser.labelValueStart(j),
                    parser.labelValueEnd(j));
        }
        checkTargetLabels(metric, mask);
    }

    /** The limits on the sample recorded from label {@code first} on, with the target labels of {@code mask}. */
    private void checkRecordedLimits(int nameStart, int nameEnd, int first, long mask) throws ParseException {
        String metric = checkNameAndCount(nameStart, nameEnd, labelTotal - first, mask);
        for (int l = first; l < labelTotal; l++) {
            checkLabel(metric, labels[4 * l], labels[4 * l + 1], labels[4 * l + 2], labels[4 * l + 3]);
        }
        checkTargetLabels(metric, mask);
    }

    /** Checks the label count (with the target labels of {@code mask}) and the name; the name, for messages. */
    private String checkNameAndCount(int nameStart, int nameEnd, int labelCount, long mask) throws ParseException {
        String metric = new String(bufferAt(nameStart), offset(nameStart), nameEnd - nameStart,
                StandardCharsets.US_ASCII);
        limits.checkCount(parser.line(), metric, 1 + labelCount + Long.bitCount(mask));
        limits.checkLabel(parser.line(), metric, "__name__", nameEnd - nameStart);
        return metric;
    }

    private void checkTargetLabels(String metric, long mask) throws ParseException {
        for (long m = mask; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            limits.checkLabel(parser.line(), metric, targetLabels.name(i), targetLabels.valueLength(i));
        }
    }

    /** Checks a label given by positions (see {@link #bufferAt}), its value escaped. */
    private void checkLabel(String metric, int ns, int ne, int vs, int ve) throws ParseException {
        byte[] values = bufferAt(vs);
        int escapes = 0;
        for (int p = offset(vs); p < offset(ve); p++) {
            if (values[p] == '\\') {
                escapes++;
                p++; // An escape sequence is two bytes for one.
            }
        }
        limits.checkLabel(parser.line(), metric, new String(bufferAt(ns), offset(ns), ne - ns,
                StandardCharsets.US_ASCII), ve - vs - escapes);
    }

    private void checkMetricName(String name) throws ParseException {
        if (!Names.isMetricName(name)) {
            throw new ParseException(parser.line(), "metric_relabel_configs left the series "
                    + (name.isEmpty() ? "without a __name__" : "with the invalid name \"" + name + "\""));
        }
    }

    private void checkLabelName(String name) throws ParseException {
        if (!Names.isLabelName(name)) {
            throw new ParseException(parser.line(), "metric_relabel_configs produced the invalid label name \""
                    + name + "\"");
        }
    }

    /**
     * True when the sample's name and labels stand in the body exactly as the output writes them
     * ({@code name{a="1",b="2"}}: no blanks, canonical escapes), so the merger copies them in one
     * piece. The usual case: Prometheus' client libraries write them so.
     */
    private boolean compact(int nameEnd) {
        int n = parser.labelCount();
        if (n == 0 || body[nameEnd] != '{' || parser.labelNameStart(0) != nameEnd + 1) {
            return false;
        }
        for (int j = 0; j < n; j++) {
            // Between two labels a comma, not a blank: the text format takes labels without commas.
            if (!parser.labelValueCanonical(j) || parser.labelValueStart(j) != parser.labelNameEnd(j) + 2
                    || j + 1 < n && (parser.labelNameStart(j + 1) != parser.labelValueEnd(j) + 2
                            || body[parser.labelValueEnd(j) + 1] != ',')) {
                return false;
            }
        }
        return true;
    }

    /** Decodes the sample, joins target labels, runs metric_relabel_configs, writes the result to extra. */
    private void slowSample(int nameStart, int nameEnd) throws ParseException {
        TreeMap<String, String> series = new TreeMap<>();
        series.put("__name__", new String(body, nameStart, nameEnd - nameStart, StandardCharsets.US_ASCII));
        for (int j = 0; j < parser.labelCount(); j++) {
            series.put(new String(body, parser.labelNameStart(j), parser.labelNameEnd(j) - parser.labelNameStart(j),
                    StandardCharsets.US_ASCII),
                    Escapes.unescapeLabelValue(body, parser.labelValueStart(j), parser.labelValueEnd(j)));
        }
        TreeMap<String, String> result = series;
        if (labeling.honorLabels()) {
            LabelConflicts.attachHonoring(series, targetLabels);
        } else {
            result = LabelConflicts.attachNotHonoring(series, targetLabels);
        }
        if (!rules.apply(new MapLabels(result))) {
            return; // Dropped by a rule.
        }
        String name = result.getOrDefault(SampleLabels.NAME, "");
        checkMetricName(name);
        if (limits.checksLabels()) {
            limits.checkCount(parser.line(), name, result.size());
            for (Map.Entry<String, String> label : result.entrySet()) {
                limits.checkLabel(parser.line(), name, label.getKey(),
                        label.getValue().getBytes(StandardCharsets.UTF_8).length);
            }
        }
        int ns = EXTRA + extra.size();
        extra.write(name);
        int ne = EXTRA + extra.size();
        int first = labelTotal;
        long hash = LabelHash.name(extra.array(), offset(ns), offset(ne));
        for (Map.Entry<String, String> label : result.entrySet()) {
            if (label.getKey().equals(SampleLabels.NAME)) {
                continue;
            }
            checkLabelName(label.getKey());
            int lns = EXTRA + extra.size();
            extra.write(label.getKey());
            int lne = EXTRA + extra.size();
            extra.write(Escapes.escapeLabelValue(label.getValue()));
            int lve = EXTRA + extra.size();
            addLabel(lns, lne, lne, lve);
            hash += LabelHash.pair(extra.array(), offset(lns), offset(lne), extra.array(), offset(lne),
                    offset(lve));
        }
        addSample(resolve(extra.array(), offset(ns), offset(ne)), ns, ne, first, false, 0, hash);
    }

    private void addLabel(int ns, int ne, int vs, int ve) {
        if (4 * labelTotal + 4 > labels.length) {
            labels = Arrays.copyOf(labels, grownLabels());
        }
        int o = 4 * labelTotal++;
        labels[o] = ns;
        labels[o + 1] = ne;
        labels[o + 2] = vs;
        labels[o + 3] = ve;
    }

    /**
     * The next length of labels: twice the last, or, when the body so far needed more, enough for
     * the whole body at the rate of labels per byte so far (which varies less than labels per
     * sample: short series have few labels). So a body whose every sample the rules change copies
     * the array once or twice instead of a dozen times.
     */
    private int grownLabels() {
        long projected = 4L * (labelTotal + 1) * parser.limit() / Math.max(1, parser.valueEnd());
        return (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * labels.length, projected + projected / 8));
    }

    /**
     * @param nameEnd the end of the name, or of the whole head of a compact sample
     * @param firstLabel the sample's first entry in labels: all its labels, or those a compact one
     *     gets after its head
     */
    private void addSample(Family family, int nameStart, int nameEnd, int firstLabel, boolean compact, long mask,
            long hash) {
        if (count == masks.length) {
            int n = count * 2;
            samples = Arrays.copyOf(samples, STRIDE * n);
            masks = Arrays.copyOf(masks, n);
            hashes = Arrays.copyOf(hashes, n);
        }
        int o = STRIDE * count;
        samples[o + TargetExposition.NAME_START] = nameStart;
        samples[o + TargetExposition.NAME_END] = nameEnd;
        samples[o + TargetExposition.FIRST_LABEL] = firstLabel;
        samples[o + TargetExposition.LABEL_COUNT] = compact ? TargetExposition.COMPACT - (labelTotal - firstLabel)
                : labelTotal - firstLabel;
        byte[] special = parser.specialValue();
        if (special == null) {
            samples[o + TargetExposition.VALUE_START] = parser.valueStart();
            samples[o + TargetExposition.VALUE_END] = parser.valueEnd();
        } else {
            int start = specialPositions.computeIfAbsent(special, s -> {
                int p = EXTRA + extra.size();
                extra.write(s);
                return p;
            });
            samples[o + TargetExposition.VALUE_START] = start;
            samples[o + TargetExposition.VALUE_END] = start + special.length;
        }
        if (parser.hasTimestamp()) {
            timestamps.add(count, parser.timestampMillis());
        }
        if (parser.hasExemplar()) {
            int start = EXTRA + extra.size();
            extra.write(parser.exemplar());
            exemplars.add(count, TargetExposition.exemplarAt(start, EXTRA + extra.size()));
        }
        masks[count] = mask;
        hashes[count] = hash;
        family.add(count++);
    }

    /** The family a sample of this name belongs to (see the class comment). */
    private Family resolve(byte[] buf, int start, int end) {
        if (lastFamily != null && buf == body
                && ByteRuns.equal(body, lastNameStart, lastNameEnd, buf, start, end)) {
            return lastFamily; // Fast path: same name as the previous sample.
        }
        Family family = null;
        if (current != null) {
            int suffix = suffixOf(current.nameBytes, buf, start, end);
            if (suffix >= 0) {
                family = current.family(suffix);
            }
        }
        if (family == null) {
            family = resolveByName(new String(buf, start, end - start, StandardCharsets.US_ASCII));
        }
        if (buf == body) {
            lastFamily = family;
            lastNameStart = start;
            lastNameEnd = end;
            lastNameHash = LabelHash.name(body, start, end);
        }
        return family;
    }

    private Family resolveByName(String name) {
        Declaration d = declarations.get(name);
        Family family = d == null ? null : d.family(NONE);
        for (int s = 1; family == null && s < SUFFIXES.length; s++) {
            if (name.endsWith(SUFFIXES[s])) {
                d = declarations.get(name.substring(0, name.length() - SUFFIXES[s].length()));
                family = d == null ? null : d.family(s);
            }
        }
        return family != null ? family : familyNamed(name, MetricType.UNTYPED, name, MetricType.UNTYPED);
    }

    /** Index of the suffix that makes {@code buf[start, end)} out of {@code base}, or -1. */
    private static int suffixOf(byte[] base, byte[] buf, int start, int end) {
        int rest = end - start - base.length;
        if (rest < 0 || !Arrays.equals(base, 0, base.length, buf, start, start + base.length)) {
            return -1;
        }
        for (int s = 0; s < SUFFIX_BYTES.length; s++) {
            byte[] suffix = SUFFIX_BYTES[s];
            if (suffix.length == rest && Arrays.equals(suffix, 0, rest, buf, end - rest, end)) {
                return s;
            }
        }
        return -1;
    }

    /**
     * The family written as {@code name} of {@code type} in the text format 0.0.4, and as part of
     * the family {@code omName} of {@code omType} in OpenMetrics.
     */
    private Family familyNamed(String name, MetricType type, String omName, MetricType omType) {
        return families.computeIfAbsent(name, n -> new Family(n, type, omName, omType));
    }

    private byte[] bufferAt(int position) {
        return position >= EXTRA ? extra.array() : body;
    }

    private static int offset(int position) {
        return TargetExposition.offset(position);
    }

    /** A name announced by HELP, TYPE or UNIT lines, and the output families its samples go to. */
    private final class Declaration {
        final String name;
        final byte[] nameBytes;
        MetricType type;
        String help;
        String unit;
        final Family[] bySuffix = new Family[SUFFIXES.length];

        Declaration(String name) {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        }

        /** The family for samples named {@code name + SUFFIXES[suffix]}, or null when the type has no such series. */
        Family family(int suffix) {
            if (bySuffix[suffix] == null) {
                bySuffix[suffix] = create(suffix);
                if (bySuffix[suffix] != null && bySuffix[suffix].help == null) {
                    bySuffix[suffix].help = help;
                }
            }
            return bySuffix[suffix];
        }

        private Family create(int suffix) {
            MetricType t = type == null ? MetricType.UNTYPED : type;
            String own = name + SUFFIXES[suffix];
            if (suffix == CREATED && format == ExpositionFormat.OPENMETRICS
                    && t != MetricType.GAUGE && t != MetricType.UNTYPED && t != MetricType.INFO) {
                return part(own, MetricType.GAUGE, t);
            }
            return switch (t) {
                case HISTOGRAM -> suffix == BUCKET || suffix == SUM || suffix == COUNT
                        || (suffix == NONE && format == ExpositionFormat.TEXT) ? part(name, t, t) : null;
                case SUMMARY -> suffix == NONE || suffix == SUM || suffix == COUNT ? part(name, t, t) : null;
                case COUNTER -> format == ExpositionFormat.OPENMETRICS
                        ? (suffix == TOTAL ? part(own, t, t) : null)
                        : (suffix == NONE ? textCounter() : null);
                case INFO -> suffix == INFO ? part(own, MetricType.GAUGE, t) : null;
                case STATESET -> suffix == NONE ? part(name, MetricType.GAUGE, t) : null;
                case GAUGEHISTOGRAM -> suffix == BUCKET ? part(own, MetricType.UNTYPED, t)
                        : suffix == GSUM || suffix == GCOUNT ? part(own, MetricType.GAUGE, t) : null;
                default -> suffix == NONE ? part(name, t, t) : null;
            };
        }

        /** A family of the text format that is part of this declaration's OpenMetrics family. */
        private Family part(String textName, MetricType textType, MetricType omType) {
            return familyNamed(textName, textType, name, omType);
        }

        /**
         * A counter of the text format: OpenMetrics names its samples {@code <family>_total}, so
         * one named so is that family's counter; any other name can only be kept as it is, as
         * an unknown family (OpenMetrics would rename the series).
         */
        private Family textCounter() {
            String total = SUFFIXES[TOTAL];
            return name.endsWith(total) && name.length() > total.length()
                    ? familyNamed(name, MetricType.COUNTER, name.substring(0, name.length() - total.length()),
                            MetricType.COUNTER)
                    : familyNamed(name, MetricType.COUNTER, name, MetricType.UNTYPED);
        }
    }
}
