package io.kubevirt.metrics.gateway.parse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of OpenMetrics 1.0 that go beyond the syntax of one line, checked entry by entry as
 * the parser reads a body: the checks of the reference parser (Python's
 * {@code prometheus_client.openmetrics.parser}), against which the official conformance suite is
 * run. A family's metadata comes once and before its samples, a family and each of its groups
 * stand together, no two families claim one name, counter-like values are neither negative nor
 * NaN, histograms have ordered buckets up to {@code +Inf} that agree with their count,
 * quantiles lie in [0, 1], info and stateset values are 1 (0 or 1), exemplars sit only on buckets
 * and counter totals, a unit ends its family's name, and timestamps do not go back within a group.
 *
 * <p>Only OpenMetrics bodies are checked so: the text format 0.0.4 has no such rules, and
 * Prometheus does not check them either (see the README's list of differences). Not thread safe.
 */
public final class OpenMetricsRules {
    private static final Map<MetricType, List<String>> SUFFIXES = Map.of(
            MetricType.COUNTER, List.of("_total", "_created"),
            MetricType.SUMMARY, List.of("", "_count", "_sum", "_created"),
            MetricType.HISTOGRAM, List.of("_count", "_sum", "_bucket", "_created"),
            MetricType.GAUGEHISTOGRAM, List.of("_gcount", "_gsum", "_bucket"),
            MetricType.INFO, List.of("_info"));
    private static final List<String> NO_SUFFIX = List.of("");
    private static final Set<String> NEVER_NAN = Set.of("_total", "_sum", "_count", "_bucket", "_gcount", "_gsum");
    private static final Set<String> NEVER_NEGATIVE = Set.of("_total", "_sum", "_count", "_bucket", "_gcount");
    private static final Pattern NUMBER = Pattern.compile(
            "[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(?i:inf|infinity)|(?i:nan)");

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final byte[] LE = "le".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUANTILE = "quantile".getBytes(StandardCharsets.US_ASCII);
    /** No label tells a group's samples apart. */
    private static final byte[] NONE = new byte[0];

    private final Set<String> claimedNames = new HashSet<>();
    private String family;
    private byte[] familyBytes;
    /** The family's type, null while no TYPE line gave one. */
    private MetricType type;
    private boolean help;
    private String unit;
    private List<String> suffixes = NO_SUFFIX;
    private boolean sampled;

    /** Whether the family has had a group yet, and the hash of the last one's labels (see {@link #pairHash}). */
    private boolean groupStarted;
    private long group;
    private final LongSet seenGroups = new LongSet();
    private boolean groupTimestamped;
    private double groupTimestamp;
    /** Hashes of the series of the current group at its timestamp. */
    private final LongSet groupSeries = new LongSet();
    private final HistogramGroup histogram = new HistogramGroup();

    /** Checks the entry the parser has just read. */
    public void check(ExpositionParser parser, ExpositionParser.Entry entry) throws ParseException {
        if (entry == ExpositionParser.Entry.SAMPLE) {
            sample(parser);
        } else {
            metadata(parser, entry, text(parser, parser.nameStart(), parser.nameEnd()));
        }
    }

    /** Checks what is left once the body has ended. */
    public void finish(int line) throws ParseException {
        endFamily(line);
    }

    private void metadata(ExpositionParser parser, ExpositionParser.Entry entry, String name) throws ParseException {
        int line = parser.line();
        if (name.equals(family) && sampled) {
            throw new ParseException(line, entry + " of \"" + name + "\" after its samples");
        }
        if (!name.equals(family)) {
            startFamily(line, name, null);
        }
        switch (entry) {
            case HELP -> {
                once(line, help, entry, name);
                help = true;
            }
            case TYPE -> {
                once(line, type != null, entry, name);
                type = parser.type();
                suffixes = SUFFIXES.getOrDefault(type, NO_SUFFIX);
            }
            case UNIT -> {
                once(line, unit != null, entry, name);
                unit = text(parser, parser.textStart(), parser.textEnd());
            }
            default -> throw new IllegalStateException(entry.name());
        }
    }

    private static void once(int line, boolean seen, ExpositionParser.Entry entry, String name) throws ParseException {
        if (seen) {
            throw new ParseException(line, "a second " + entry + " line for \"" + name + "\"");
        }
    }

    private void sample(ExpositionParser parser) throws ParseException {
        int line = parser.line();
        byte[] buf = parser.buffer();
        String suffix = suffixOf(buf, parser.nameStart(), parser.nameEnd());
        if (suffix == null) {
            startFamily(line, text(parser, parser.nameStart(), parser.nameEnd()), MetricType.UNTYPED); // No metadata.
            suffix = "";
        }
        sampled = true;
        MetricType t = type == null ? MetricType.UNTYPED : type;
        boolean bucket = suffix.equals("_bucket");
        boolean quantile = t == MetricType.SUMMARY && suffix.isEmpty();
        byte[] within = t == MetricType.INFO ? null : bucket ? LE : quantile ? QUANTILE
                : t == MetricType.STATESET ? familyBytes : NONE;
        // The group: a hash of the labels but the one that tells its samples apart, in any order.
        long group = 0;
        long apart = 0;
        int withinLabel = -1;
        for (int i = 0; within != null && i < parser.labelCount(); i++) {
            long pair = pairHash(parser, i);
            if (Arrays.equals(buf, parser.labelNameStart(i), parser.labelNameEnd(i), within, 0, within.length)) {
                withinLabel = i;
                apart = pair;
            } else {
                group += pair;
            }
        }
        if (t == MetricType.STATESET && withinLabel < 0) {
            throw new ParseException(line, "stateset sample without its label \"" + family + "\"");
        }
        double le = 0;
        if (bucket) {
            String value = labelValue(parser, withinLabel);
            le = canonicalNumber(value);
            if (Double.isNaN(le)) {
                throw new ParseException(line, "bucket without a valid \"le\" label: " + found(value));
            }
        }
        if (quantile) {
            String value = labelValue(parser, withinLabel);
            double q = canonicalNumber(value);
            if (!(q >= 0 && q <= 1)) {
                throw new ParseException(line, "quantile not within [0, 1]: " + found(value));
            }
        }
        boolean timestamped = parser.hasTimestamp();
        double timestamp = parser.timestampSeconds();
        boolean sameGroup = groupStarted && group == this.group;
        if (groupStarted && !sameGroup && seenGroups.contains(group)) {
            throw new ParseException(line, "a sample of \"" + family + "\" apart from the rest of its group");
        }
        if (sameGroup) {
            if (timestamped != groupTimestamped) {
                throw new ParseException(line, "samples with and without timestamps in one group of \"" + family
                        + "\"");
            }
            if (timestamped && groupTimestamp > timestamp && t != MetricType.INFO) {
                throw new ParseException(line, "timestamps go back within a group of \"" + family + "\"");
            }
        }
        boolean newTimestamp = !sameGroup || timestamped && timestamp != groupTimestamp;
        boolean histogramType = t == MetricType.HISTOGRAM || t == MetricType.GAUGEHISTOGRAM;
        if (newTimestamp) {
            groupSeries.clear();
        }
        // A sample that repeats a series at its group's timestamp is a duplicate: left out of the histogram checks.
        boolean duplicate = histogramType && !groupSeries.add(nameHash(buf, parser.nameStart(), parser.nameEnd())
                + group + apart);
        groupStarted = true;
        this.group = group;
        groupTimestamped = timestamped;
        groupTimestamp = timestamp;
        seenGroups.add(group);

        // Parsed only where a check needs the number itself: most values need only their sign.
        boolean exact = t == MetricType.STATESET || t == MetricType.INFO || histogramType
                || buf[parser.valueStart()] == '-';
        double value = exact ? value(parser) : 0;
        checkValue(line, parser.specialValue(), value, t, suffix, quantile);
        if (parser.hasExemplar() && !(bucket && histogramType || suffix.equals("_total") && t == MetricType.COUNTER)) {
            throw new ParseException(line, "an exemplar on \"" + family + suffix + "\": only histogram buckets and"
                    + " counter totals have exemplars");
        }
        if (histogramType && !duplicate) {
            if (newTimestamp) {
                histogram.end(line, family);
            }
            histogram.add(line, family, suffix, le, value);
        }
    }

    /** The suffix that makes the sample's name out of the family's, if it is one the family's type has; else null. */
    private String suffixOf(byte[] buf, int start, int end) {
        if (familyBytes == null || end - start < familyBytes.length
                || !Arrays.equals(buf, start, start + familyBytes.length, familyBytes, 0, familyBytes.length)) {
            return null;
        }
        int from = start + familyBytes.length;
        for (String suffix : suffixes) {
            if (suffix.length() == end - from && endsWith(buf, from, suffix)) {
                return suffix;
            }
        }
        return null;
    }

    private static boolean endsWith(byte[] buf, int from, String suffix) {
        for (int k = 0; k < suffix.length(); k++) {
            if (buf[from + k] != suffix.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value checks: counter-like values neither NaN nor negative, quantiles not negative, info
     * 1 and stateset 0 or 1. {@code value} is the sample's number where its type has exact values or
     * it starts with '-', else 0.
     */
    private void checkValue(int line, byte[] special, double value, MetricType t, String suffix, boolean quantile)
            throws ParseException {
        boolean nan = special != null && special[0] == 'N';
        boolean negative = value < 0;
        String problem = null;
        if (t == MetricType.STATESET && value != 0 && value != 1) { // NaN is neither.
            problem = "a stateset's values are 0 or 1";
        } else if (t == MetricType.INFO && value != 1) {
            problem = "an info's value is 1";
        } else if (quantile && negative) {
            problem = "a quantile's value is not negative";
        } else if (nan && NEVER_NAN.contains(suffix)) {
            problem = "a " + suffix + " value is not NaN";
        } else if (negative && NEVER_NEGATIVE.contains(suffix)) {
            problem = "a " + suffix + " value is not negative";
        }
        if (problem != null) {
            throw new ParseException(line, "invalid value of \"" + family + suffix + "\": " + problem);
        }
    }

    /** The hash of a label, its value as the text format writes it: summed, the hashes of a set in any order agree. */
    private static long pairHash(ExpositionParser parser, int i) {
        byte[] buf = parser.buffer();
        long h = bytesHash(FNV_OFFSET, buf, parser.labelNameStart(i), parser.labelNameEnd(i));
        h = (h ^ '=') * FNV_PRIME;
        if (parser.labelValueCanonical(i)) {
            h = bytesHash(h, buf, parser.labelValueStart(i), parser.labelValueEnd(i));
        } else {
            byte[] value = Escapes.canonicalLabelValue(buf, parser.labelValueStart(i), parser.labelValueEnd(i));
            h = bytesHash(h, value, 0, value.length);
        }
        return mix(h);
    }

    private static long nameHash(byte[] buf, int start, int end) {
        return mix(bytesHash(FNV_OFFSET ^ '{', buf, start, end));
    }

    /** FNV-1a over the bytes. */
    private static long bytesHash(long h, byte[] buf, int start, int end) {
        for (int i = start; i < end; i++) {
            h = (h ^ buf[i]) * FNV_PRIME;
        }
        return h;
    }

    /** MurmurHash3's finalizer: FNV's low bits mix poorly, and the hashes are summed. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    private static String labelValue(ExpositionParser parser, int i) {
        return i < 0 ? null : Escapes.unescapeLabelValue(parser.buffer(), parser.labelValueStart(i),
                parser.labelValueEnd(i));
    }

    private void startFamily(int line, String name, MetricType newType) throws ParseException {
        endFamily(line);
        family = name;
        familyBytes = name.getBytes(StandardCharsets.UTF_8);
        type = newType;
        help = false;
        unit = null;
        suffixes = NO_SUFFIX;
        sampled = false;
        groupStarted = false;
        seenGroups.clear();
        groupSeries.clear();
    }

    private void endFamily(int line) throws ParseException {
        if (family == null) {
            return;
        }
        histogram.end(line, family);
        for (String suffix : suffixes) {
            claim(line, family + suffix);
        }
        if (!suffixes.contains("")) {
            claim(line, family);
        }
        if (unit != null && !unit.isEmpty()) {
            if (!family.endsWith("_" + unit)) {
                throw new ParseException(line, "the name of \"" + family + "\" does not end with its unit \"_"
                        + unit + "\"");
            }
            if (type == MetricType.INFO || type == MetricType.STATESET) {
                throw new ParseException(line, "a unit for \"" + family + "\", of a type that has none");
            }
        }
    }

    private void claim(int line, String name) throws ParseException {
        if (!claimedNames.add(name)) {
            throw new ParseException(line, "the name \"" + name + "\" belongs to a family before");
        }
    }

    private static double value(ExpositionParser parser) {
        byte[] special = parser.specialValue();
        String text = special != null ? new String(special, StandardCharsets.US_ASCII)
                : text(parser, parser.valueStart(), parser.valueEnd());
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /**
     * A label value read as a number (le, quantile), NaN when it is none: infinities only as
     * {@code +Inf} and {@code -Inf}, as the reference parser takes them.
     */
    private static double canonicalNumber(String text) {
        if (text == null || !NUMBER.matcher(text).matches() || text.equalsIgnoreCase("nan")) {
            return Double.NaN;
        }
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Character.isLetter(text.charAt(text.length() - 1)) ? Double.NaN : Double.parseDouble(text);
        };
    }

    private static String found(String value) {
        return value == null ? "none" : "\"" + value + "\"";
    }

    private static String text(ExpositionParser parser, int start, int end) {
        return new String(parser.buffer(), start, end - start, StandardCharsets.UTF_8);
    }

    /**
     * The samples of one histogram group at one timestamp: buckets in increasing order of le with
     * values that do not fall, ending at +Inf; _count equal to the +Inf bucket; _sum (_gsum) and
     * _count (_gcount) only together; no _sum where a bucket is negative, no negative _gsum where
     * none is.
     */
    private static final class HistogramGroup {
        private boolean open;
        private double lastLe;
        private boolean buckets;
        private double lastValue;
        private boolean counted;
        private double count;
        private boolean sum;
        private boolean gsum;
        private boolean negativeBucket;
        private boolean negativeGsum;

        void add(int line, String family, String suffix, double le, double value) throws ParseException {
            open = true;
            switch (suffix) {
                case "_bucket" -> {
                    if (buckets && le <= lastLe) {
                        throw new ParseException(line, "buckets of \"" + family + "\" out of order");
                    }
                    if (value < lastValue) {
                        throw new ParseException(line, "bucket values of \"" + family + "\" go down");
                    }
                    negativeBucket |= le < 0;
                    buckets = true;
                    lastLe = le;
                    lastValue = value;
                }
                case "_count", "_gcount" -> {
                    counted = true;
                    count = value;
                }
                case "_sum" -> sum = true;
                case "_gsum" -> {
                    gsum = true;
                    negativeGsum |= value < 0;
                }
                default -> { // _created
                }
            }
        }

        void end(int line, String family) throws ParseException {
            if (!open) {
                return;
            }
            String problem = null;
            if (!buckets || lastLe != Double.POSITIVE_INFINITY) {
                problem = "no +Inf bucket";
            } else if (counted && lastValue != count) {
                problem = "a count other than the +Inf bucket's value";
            } else if ((sum || gsum) && !counted) {
                problem = sum ? "_sum without _count" : "_gsum without _gcount";
            } else if (!sum && !gsum && counted) {
                problem = "a count without a sum";
            } else if (negativeBucket && sum) {
                problem = "_sum with a negative bucket";
            } else if (!negativeBucket && negativeGsum) {
                problem = "a negative _gsum without a negative bucket";
            }
            open = false;
            buckets = false;
            lastValue = 0;
            counted = false;
            sum = false;
            gsum = false;
            negativeBucket = false;
            negativeGsum = false;
            if (problem != null) {
                throw new ParseException(line, "histogram \"" + family + "\" has " + problem);
            }
        }
    }

    /**
     * A set of 64-bit hashes without boxing: a gauge's every sample is a group of its own, so
     * there are as many as samples. Open addressing, linear probing; 0 stands for itself by a flag.
     */
    private static final class LongSet {
        private long[] slots = new long[64];
        private int size;
        private boolean hasZero;

        /** Adds the hash; false when it was there already. */
        boolean add(long hash) {
            if (hash == 0) {
                boolean added = !hasZero;
                hasZero = true;
                return added;
            }
            if (2 * (size + 1) > slots.length) {
                grow();
            }
            int mask = slots.length - 1;
            for (int i = (int) hash & mask; ; i = (i + 1) & mask) {
                if (slots[i] == hash) {
                    return false;
                }
                if (slots[i] == 0) {
                    slots[i] = hash;
                    size++;
                    return true;
                }
            }
        }

        boolean contains(long hash) {
            if (hash == 0) {
                return hasZero;
            }
            int mask = slots.length - 1;
            for (int i = (int) hash & mask; slots[i] != 0; i = (i + 1) & mask) {
                if (slots[i] == hash) {
                    return true;
                }
            }
            return false;
        }

        void clear() {
            if (slots.length > 64) {
                slots = new long[64];
            } else if (size > 0) {
                Arrays.fill(slots, 0);
            }
            size = 0;
            hasZero = false;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            size = 0;
            for (long hash : old) {
                if (hash != 0) {
                    add(hash);
                }
            }
        }
    }
}
