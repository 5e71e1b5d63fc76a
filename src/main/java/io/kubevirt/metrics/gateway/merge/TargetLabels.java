package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.ByteRuns;
import io.kubevirt.metrics.gateway.parse.Escapes;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The labels a target adds to every series scraped from it (after target relabeling), kept as
 * ready-to-write bytes. Labels with an empty value are not labels, as in Prometheus. Immutable.
 */
public final class TargetLabels {
    public static final TargetLabels EMPTY = of(Map.of());

    private final Map<String, String> labels;
    private final String[] nameStrings;
    private final String[] valueStrings;
    /** UTF-8 bytes of each value, for the length limit. */
    private final int[] valueLengths;
    final byte[][] names;
    final byte[][] escapedValues;
    private final long[] pairHashes;
    /** {@code ,name="value"} of each label, as the merger writes it. */
    final byte[][] written;
    /** All of {@link #written}, in order: what most samples get. */
    final byte[] writtenAll;
    /** The mask of all labels. */
    final long allMask;
    /** The sum of all {@link #pairHashes}: what most samples, which get every target label, add. */
    private final long allPairHashes;
    /**
     * Bit masks of the labels whose name has a given length and first byte (see {@link #slot}):
     * most label names of a sample are no target label's, and one look-up says so.
     */
    private final long[] candidates = new long[1024];

    private TargetLabels(Map<String, String> labels) {
        this.labels = labels;
        int n = labels.size();
        nameStrings = labels.keySet().toArray(String[]::new);
        valueStrings = labels.values().toArray(String[]::new);
        valueLengths = new int[n];
        names = new byte[n][];
        escapedValues = new byte[n][];
        pairHashes = new long[n];
        written = new byte[n][];
        allMask = n >= 64 ? -1L : (1L << n) - 1;
        ByteSink all = new ByteSink(64);
        int i = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            names[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            escapedValues[i] = Escapes.escapeLabelValue(e.getValue()).getBytes(StandardCharsets.UTF_8);
            valueLengths[i] = e.getValue().getBytes(StandardCharsets.UTF_8).length;
            pairHashes[i] = LabelHash.pair(names[i], 0, names[i].length, escapedValues[i], 0,
                    escapedValues[i].length);
            if (i < 64) {
                candidates[slot(names[i], 0, names[i].length)] |= 1L << i;
            }
            ByteSink label = new ByteSink(names[i].length + escapedValues[i].length + 4);
            label.write((byte) ',');
            label.write(names[i]);
            label.write((byte) '=');
            label.write((byte) '"');
            label.write(escapedValues[i]);
            label.write((byte) '"');
            written[i] = label.toByteArray();
            all.write(written[i]);
            i++;
        }
        writtenAll = all.toByteArray();
        allPairHashes = sum(pairHashes, allMask);
    }

    /** The sum of the pair hashes of the labels of {@code mask}. */
    long pairHashes(long mask) {
        return mask == allMask ? allPairHashes : sum(pairHashes, mask);
    }

    private static long sum(long[] hashes, long mask) {
        long sum = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            sum += hashes[Long.numberOfTrailingZeros(m)];
        }
        return sum;
    }

    /** The length in bytes of label {@code i}'s value. */
    int valueLength(int i) {
        return valueLengths[i];
    }

    /** Target labels from a map; empty values are left out. */
    public static TargetLabels of(Map<String, String> labels) {
        TreeMap<String, String> sorted = new TreeMap<>();
        labels.forEach((k, v) -> {
            if (!v.isEmpty()) {
                sorted.put(k, v);
            }
        });
        return new TargetLabels(Collections.unmodifiableMap(sorted));
    }

    /** The labels, sorted by name. */
    public Map<String, String> asMap() {
        return labels;
    }

    public int size() {
        return names.length;
    }

    /** Index of the label named {@code name}, or -1. */
    int indexOf(String name) {
        for (int i = 0; i < nameStrings.length; i++) {
            if (nameStrings[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    String name(int i) {
        return nameStrings[i];
    }

    String value(int i) {
        return valueStrings[i];
    }

    /** Index of the label whose name is {@code buf[from, to)}, or -1. Runs for every label of every sample. */
    int indexOf(byte[] buf, int from, int to) {
        if (names.length > 64) {
            return scan(buf, from, to);
        }
        for (long m = candidates[slot(buf, from, to)]; m != 0; m &= m - 1) {
            int i = Long.numberOfTrailingZeros(m);
            if (ByteRuns.equal(names[i], 0, names[i].length, buf, from, to)) {
                return i;
            }
        }
        return -1;
    }

    private int scan(byte[] buf, int from, int to) {
        for (int i = 0; i < names.length; i++) {
            if (ByteRuns.equal(names[i], 0, names[i].length, buf, from, to)) {
                return i;
            }
        }
        return -1;
    }

    /** Length (mod 32) and first byte (mod 32, which keeps letters and '_' apart): candidates only, equals decides. */
    private static int slot(byte[] buf, int from, int to) {
        return ((to - from) & 31) << 5 | (to > from ? buf[from] & 31 : 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TargetLabels other && labels.equals(other.labels);
    }

    @Override
    public int hashCode() {
        return labels.hashCode();
    }

    @Override
    public String toString() {
        return labels.toString();
    }
}
