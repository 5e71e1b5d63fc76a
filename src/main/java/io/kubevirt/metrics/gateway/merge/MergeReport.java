package io.kubevirt.metrics.gateway.merge;

/**
 * What a merge left out, by reason; each drop is also logged at debug level with its family and source.
 *
 * @param typeConflictSamples samples of families whose name (or series names) another source had
 *     already given to a family of another type
 * @param duplicateSamples samples whose series (name and labels) had already been written
 * @param samplesWritten samples in the output
 */
public record MergeReport(int typeConflictSamples, int duplicateSamples, int samplesWritten) {
}
