package io.kubevirt.metrics.gateway.parse;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

    private final Set<String> claimedNames = new HashSet<>();
    private String family;
    /** The family's type, null while no TYPE line gave one. */
    private MetricType type;
    private boolean help;
    private String unit;
    private List<String> suffixes = NO_SUFFIX;
    private boolean sampled;

    private String group;
    private final Set<String> seenGroups = new HashSet<>();
    private boolean groupTimestamped;
    private double groupTimestamp;
    private final Set<String> groupSeries = new HashSet<>();
    private final HistogramGroup histogram = new HistogramGroup();

    /** Checks the entry the parser has just read. */
    public void check(ExpositionParser parser, ExpositionParser.Entry entry) throws ParseException {
        String name = text(parser, parser.nameStart(), parser.nameEnd());
        if (entry == ExpositionParser.Entry.SAMPLE) {
            sample(parser, name);
        } else {
            metadata(parser, entry, name);
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

    private void sample(ExpositionParser parser, String name) throws ParseException {
        int line = parser.line();
        String suffix = family != null && name.startsWith(family) ? name.substring(family.length()) : null;
        if (suffix == null || !suffixes.contains(suffix)) {
            startFamily(line, name, MetricType.UNTYPED); // A family without metadata.
            suffix = "";
        }
        sampled = true;
        MetricType t = type == null ? MetricType.UNTYPED : type;
        TreeMap<String, String> labels = new TreeMap<>();
        for (int i = 0; i < parser.labelCount(); i++) {
            labels.put(text(parser, parser.labelNameStart(i), parser.labelNameEnd(i)),
                    Escapes.unescapeLabelValue(parser.buffer(), parser.labelValueStart(i), parser.labelValueEnd(i)));
        }
        boolean bucket = suffix.equals("_bucket");
        boolean quantile = t == MetricType.SUMMARY && suffix.isEmpty();
        double le = 0;
        if (t == MetricType.STATESET && !labels.containsKey(family)) {
            throw new ParseException(line, "stateset sample without its label \"" + family + "\"");
        }
        if (bucket) {
            le = canonicalNumber(labels.get("le"));
            if (Double.isNaN(le)) {
                throw new ParseException(line, "bucket without a valid \"le\" label: " + found(labels.get("le")));
            }
        }
        if (quantile) {
            double q = canonicalNumber(labels.get("quantile"));
            if (!(q >= 0 && q <= 1)) {
                throw new ParseException(line, "quantile not within [0, 1]: " + found(labels.get("quantile")));
            }
        }
        boolean timestamped = parser.hasTimestamp();
        double timestamp = parser.timestampSeconds();
        String g = groupOf(labels, t, bucket, quantile);
        boolean sameGroup = g.equals(group);
        if (group != null && !sameGroup && seenGroups.contains(g)) {
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
        if (newTimestamp) {
            groupSeries.clear();
        }
        // A sample that repeats a series at its group's timestamp is a duplicate: left out of the histogram checks.
        boolean duplicate = !groupSeries.add(name + labels);
        group = g;
        groupTimestamped = timestamped;
        groupTimestamp = timestamp;
        seenGroups.add(g);

        double value = value(parser);
        checkValue(line, t, suffix, quantile, value);
        if (parser.hasExemplar() && !(bucket && (t == MetricType.HISTOGRAM || t == MetricType.GAUGEHISTOGRAM)
                || suffix.equals("_total") && t == MetricType.COUNTER)) {
            throw new ParseException(line, "an exemplar on \"" + name + "\": only histogram buckets and counter"
                    + " totals have exemplars");
        }
        if ((t == MetricType.HISTOGRAM || t == MetricType.GAUGEHISTOGRAM) && !duplicate) {
            if (newTimestamp) {
                histogram.end(line, family);
            }
            histogram.add(line, family, suffix, le, value);
        }
    }

    private void checkValue(int line, MetricType t, String suffix, boolean quantile, double value)
            throws ParseException {
        String problem = null;
        if (t == MetricType.STATESET && value != 0 && value != 1) {
            problem = "a stateset's values are 0 or 1";
        } else if (t == MetricType.INFO && value != 1) {
            problem = "an info's value is 1";
        } else if (quantile && value < 0) {
            problem = "a quantile's value is not negative";
        } else if (NEVER_NAN.contains(suffix) && Double.isNaN(value)) {
            problem = "a " + suffix + " value is not NaN";
        } else if (NEVER_NEGATIVE.contains(suffix) && value < 0) {
            problem = "a " + suffix + " value is not negative";
        }
        if (problem != null) {
            throw new ParseException(line, "invalid value of \"" + family + suffix + "\": " + problem);
        }
    }

    /** The sample's labels but the one that tells the samples of a group apart (le, quantile, the state). */
    private String groupOf(TreeMap<String, String> labels, MetricType t, boolean bucket, boolean quantile) {
        String within = t == MetricType.INFO ? null : bucket ? "le" : quantile ? "quantile"
                : t == MetricType.STATESET ? family : "";
        if (within == null) {
            return ""; // An info's samples are not told apart by group.
        }
        StringBuilder key = new StringBuilder();
        labels.forEach((k, v) -> {
            if (!k.equals(within)) {
                key.append(k).append('=').append(v).append('\u0000');
            }
        });
        return key.toString();
    }

    private void startFamily(int line, String name, MetricType newType) throws ParseException {
        endFamily(line);
        family = name;
        type = newType;
        help = false;
        unit = null;
        suffixes = NO_SUFFIX;
        sampled = false;
        group = null;
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
}
