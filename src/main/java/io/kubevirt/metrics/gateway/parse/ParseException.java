package io.kubevirt.metrics.gateway.parse;

/** A body that is not valid exposition text. The message reads {@code line N: what is wrong}. */
public class ParseException extends Exception {
    private final int line;
    private int samplesRead;
    private int samplesKept;

    public ParseException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** The 1-based line number of the offending line. */
    public int line() {
        return line;
    }

    /**
     * Tells how far the reading of the body got, as Prometheus reports it for a scrape that fails
     * part-way: the samples read (the one that failed a check included) and those kept after metric
     * relabeling, before this was thrown.
     */
    public ParseException afterSamples(int read, int kept) {
        this.samplesRead = read;
        this.samplesKept = kept;
        return this;
    }

    /** Samples read before this was thrown (see {@link #afterSamples}); 0 when not told. */
    public int samplesRead() {
        return samplesRead;
    }

    /** Samples kept after metric relabeling before this was thrown; 0 when not told. */
    public int samplesKept() {
        return samplesKept;
    }
}
