package io.kubevirt.metrics.gateway.merge;

import java.util.List;

/**
 * The samples of one scraped body, labelled and grouped into families, ready to merge. Sample
 * names, label names and values and sample values are {@code [start, end)} positions: below
 * {@link #EXTRA} in the scraped body itself, from {@link #EXTRA} on in {@link #extra}, which holds
 * what had to be rewritten (re-escaped values, relabeled series). Each sample also carries which
 * of the target labels it gets ({@link #targetMasks}) and the hash of its final label set.
 * Immutable once read; safe to share between threads.
 */
public final class TargetExposition {
    /** Positions at or above this refer to {@link #extra}; bodies are limited well below it. */
    static final int EXTRA = 1 << 30;
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** Ints per sample in {@link #samples}. */
    static final int STRIDE = 6;
    static final int NAME_START = 0;
    static final int NAME_END = 1;
    static final int FIRST_LABEL = 2;
    static final int LABEL_COUNT = 3;
    /**
     * LABEL_COUNT of a sample whose labels are written in the body exactly as the output writes
     * them ({@code name{a="1",b="2"}}, canonical escapes, no blanks): NAME_START to NAME_END is then
     * that whole head without the closing brace, copied in one piece. What metric relabel rules
     * set besides (new labels, target labels they changed) follows the head: COMPACT minus the
     * number of those labels is the LABEL_COUNT, and their entries start at FIRST_LABEL.
     */
    static final int COMPACT = -1;
    static final int VALUE_START = 4;
    static final int VALUE_END = 5;

    final byte[] body;
    final int bodyLength;
    final byte[] extra;
    final int[] samples;
    /** Four ints per label: name start, name end, escaped value start, escaped value end. */
    final int[] labels;
    /** The samples' timestamps in milliseconds, for the few samples that have one. */
    private final SparseSamples timestamps;
    /** Bit i set: the sample gets target label i. */
    final long[] targetMasks;
    /** Order-independent hash of the sample's final name and labels (see {@link LabelHash}). */
    final long[] hashes;
    final int sampleCount;
    final int scrapedCount;
    final List<Family> families;
    final TargetLabels targetLabels;
    /** Where the OpenMetrics exemplars of the few samples that carry one are: start and end positions, packed. */
    private final SparseSamples exemplars;

    TargetExposition(byte[] body, int bodyLength, byte[] extra, int[] samples, int[] labels, SparseSamples timestamps,
            long[] targetMasks, long[] hashes, int sampleCount, int scrapedCount, List<Family> families,
            TargetLabels targetLabels, SparseSamples exemplars) {
        this.body = body;
        this.bodyLength = bodyLength;
        this.extra = extra;
        this.samples = samples;
        this.labels = labels;
        this.timestamps = timestamps;
        this.targetMasks = targetMasks;
        this.hashes = hashes;
        this.sampleCount = sampleCount;
        this.scrapedCount = scrapedCount;
        this.families = families;
        this.targetLabels = targetLabels;
        this.exemplars = exemplars;
    }

    /** Sample i's timestamp in milliseconds, or {@link #NO_TIMESTAMP}. */
    long timestamp(int sample) {
        return timestamps.get(sample, NO_TIMESTAMP);
    }

    /** Where sample i's exemplar is, as {@link #exemplarAt} packs it, or -1 when it has none. */
    long exemplar(int sample) {
        return exemplars.get(sample, -1);
    }

    /** Packs the start and end positions of an exemplar's text. */
    static long exemplarAt(int start, int end) {
        return (long) start << 32 | end;
    }

    /** Samples in the body, before metric relabeling (Prometheus' scrape_samples_scraped). */
    public int scrapedCount() {
        return scrapedCount;
    }

    /** Samples kept after metric relabeling (Prometheus' scrape_samples_post_metric_relabeling). */
    public int sampleCount() {
        return sampleCount;
    }

    /** The hash of sample i's final label set; equal series have equal hashes. */
    public long seriesHash(int i) {
        return hashes[i];
    }

    /** Average bytes per sample in the body and extra, a basis for output size estimates. */
    int bytesPerSample() {
        return sampleCount == 0 ? 0 : (bodyLength + extra.length) / sampleCount + 1;
    }

    byte[] bufferAt(int position) {
        return position >= EXTRA ? extra : body;
    }

    static int offset(int position) {
        return position >= EXTRA ? position - EXTRA : position;
    }
}
