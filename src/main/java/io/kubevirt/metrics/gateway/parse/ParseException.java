package io.kubevirt.metrics.gateway.parse;

/** A body that is not valid exposition text. The message reads {@code line N: what is wrong}. */
public class ParseException extends Exception {
    private final int line;

    public ParseException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** The 1-based line number of the offending line. */
    public int line() {
        return line;
    }
}
