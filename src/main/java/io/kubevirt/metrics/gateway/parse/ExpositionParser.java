package io.kubevirt.metrics.gateway.parse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A pull parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0, working on the bytes of
 * one scraped body. Call {@link #next()} until it returns null; after each entry the accessors
 * describe it.
 *
 * <p>Nothing is copied: names, label names, label values, HELP text and sample values are returned
 * as {@code [start, end)} offsets into the buffer given to the constructor, valid for as long as
 * that buffer is not changed. Label values and HELP text are the escaped bytes of the input;
 * {@link #labelValueCanonical(int)} and {@link #textCanonical()} tell whether they are already in
 * the form the text format 0.0.4 writes (see {@link Escapes}). Special values (NaN, ±Inf in any
 * spelling Go accepts) are returned as canonical bytes by {@link #specialValue()}.
 *
 * <p>The text format is read exactly as Prometheus 3.5's lexer reads it (so that a target is up
 * here exactly when it would be scraping it directly); OpenMetrics as its specification writes it,
 * one space between parts and none elsewhere, with {@link OpenMetricsRules} for the rules beyond
 * one line. Comments and blank lines of the text format are skipped. Every syntax error is a
 * {@link ParseException} naming the line, what was expected and what was found. Not thread safe.
 */
public final class ExpositionParser {

    /** What {@link #next()} found. */
    public enum Entry { HELP, TYPE, UNIT, SAMPLE }

    private static final long ONES = 0x0101010101010101L;
    private static final long NEWLINES = '\n' * ONES;
    private static final boolean[] LABEL_NAME_CHARS = nameChars(false);
    private static final boolean[] METRIC_NAME_CHARS = nameChars(true);
    private static final byte[] NAN = ascii("NaN");
    private static final byte[] NAME_LABEL = ascii("__name__");
    private static final byte[] POS_INF = ascii("+Inf");
    private static final byte[] NEG_INF = ascii("-Inf");
    /** OpenMetrics: an exemplar's label names and values together hold at most this many characters. */
    private static final int MAX_EXEMPLAR_LABELS_LENGTH = 128;

    private final byte[] buf;
    private final int limit;
    private final ExpositionFormat format;
    private int pos;
    private int line;
    private boolean eofSeen;
    private int lineLengthLimit;

    private int nameStart;
    private int nameEnd;
    private int textStart;
    private int textEnd;
    private boolean textCanonical;
    private MetricType type;
    private int labelCount;
    /** A bit per label name of the sample, by its length and first byte: two names of different bits differ. */
    private long labelNameBits;
    private int[] labelOffsets = new int[4 * 16];
    private boolean[] labelCanonical = new boolean[16];
    private int valueStart;
    private int valueEnd;
    private byte[] specialValue;
    private boolean hasTimestamp;
    private long timestampMillis;
    /** The OpenMetrics timestamp of the current sample, in seconds as written. */
    private double timestampSeconds;
    /** The current sample's exemplar, from its label set's '{' to the line's end, or -1. */
    private int exemplarLabelsStart = -1;
    private int exemplarEnd;

    /** Parses {@code buf[0, length)}. */
    public ExpositionParser(byte[] buf, int length, ExpositionFormat format) {
        this(buf, 0, length, format);
    }

    /** Parses {@code buf[offset, limit)}. */
    public ExpositionParser(byte[] buf, int offset, int limit, ExpositionFormat format) {
        this.buf = buf;
        this.pos = offset;
        this.limit = limit;
        this.format = format;
    }

    /** Fails a line longer than {@code bytes} (0: no limit) with a {@link LimitExceededException}. */
    public ExpositionParser limitLineLength(int bytes) {
        this.lineLengthLimit = bytes;
        return this;
    }

    /** The next entry, or null at the end of the body. */
    public Entry next() throws ParseException {
        while (pos < limit) {
            line++;
            if (eofSeen) {
                throw error("unexpected content after \"# EOF\"");
            }
            Entry entry = parseLine(pos);
            if (entry != null) {
                return entry;
            }
        }
        if (format == ExpositionFormat.OPENMETRICS && !eofSeen) {
            throw new ParseException(line, "expected \"# EOF\" at the end of an OpenMetrics exposition");
        }
        return null;
    }

    /**
     * The position of the first '\n' from {@code from} on, or the limit. This looks at eight
     * bytes at a time: a byte of x is zero where the byte was a newline, and
     * {@code (x - ONES) & ~x} sets the top bit of the first zero byte (and maybe of later ones,
     * by borrow, which the lowest set bit ignores).
     */
    private int lineEnd(int from) {
        int i = from;
        for (; i + 8 <= limit; i += 8) {
            long x = (long) ByteRuns.LONGS.get(buf, i) ^ NEWLINES;
            long zeros = (x - ONES) & ~x & (ONES << 7);
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        while (i < limit && buf[i] != '\n') {
            i++;
        }
        return i;
    }

    /** The buffer all offsets refer to. */
    public byte[] buffer() {
        return buf;
    }

    /** The end of the parsed range. */
    public int limit() {
        return limit;
    }

    /** The 1-based number of the line of the current entry. */
    public int line() {
        return line;
    }

    public int nameStart() {
        return nameStart;
    }

    public int nameEnd() {
        return nameEnd;
    }

    /** HELP text or UNIT of the current metadata entry. */
    public int textStart() {
        return textStart;
    }

    public int textEnd() {
        return textEnd;
    }

    /** True when the HELP text needs no re-escaping for the text format 0.0.4. */
    public boolean textCanonical() {
        return textCanonical;
    }

    /** The type of a TYPE entry. */
    public MetricType type() {
        return type;
    }

    public int labelCount() {
        return labelCount;
    }

    public int labelNameStart(int i) {
        return labelOffsets[4 * i];
    }

    public int labelNameEnd(int i) {
        return labelOffsets[4 * i + 1];
    }

    /** Start of the escaped value, after the opening quote. */
    public int labelValueStart(int i) {
        return labelOffsets[4 * i + 2];
    }

    /** End of the escaped value, at the closing quote. */
    public int labelValueEnd(int i) {
        return labelOffsets[4 * i + 3];
    }

    /** True when the escaped value is already in the form the text format 0.0.4 writes. */
    public boolean labelValueCanonical(int i) {
        return labelCanonical[i];
    }

    public int valueStart() {
        return valueStart;
    }

    public int valueEnd() {
        return valueEnd;
    }

    /** The canonical spelling (NaN, +Inf, -Inf) when the value is special, else null. */
    public byte[] specialValue() {
        return specialValue;
    }

    public boolean hasTimestamp() {
        return hasTimestamp;
    }

    /** The sample's timestamp in milliseconds (OpenMetrics' seconds are converted). */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** The current sample's OpenMetrics timestamp in seconds, as written (ordering needs more than milliseconds). */
    public double timestampSeconds() {
        return timestampSeconds;
    }

    /** True when the current sample carries an OpenMetrics exemplar. */
    public boolean hasExemplar() {
        return exemplarLabelsStart >= 0;
    }

    /**
     * The current sample's exemplar as OpenMetrics writes it after a sample's value or timestamp,
     * {@code # {labels} value [timestamp]}; null when the sample has none. The parser accepts only
     * that form, so this is a copy of the line's end. Exemplars are rare, so this copies.
     */
    public byte[] exemplar() {
        if (exemplarLabelsStart < 0) {
            return null;
        }
        byte[] out = new byte[2 + exemplarEnd - exemplarLabelsStart];
        out[0] = '#';
        out[1] = ' ';
        System.arraycopy(buf, exemplarLabelsStart, out, 2, exemplarEnd - exemplarLabelsStart);
        return out;
    }

    /** Parses the line that starts at {@code start}; null for a line without an entry. */
    private Entry parseLine(int start) throws ParseException {
        boolean text = format == ExpositionFormat.TEXT;
        int p = text ? skipBlanks(start, limit) : start;
        if (text && p < limit && buf[p] == 0) {
            // Prometheus' lexer takes a NUL byte where a line's first token starts for the body's end.
            pos = limit;
            return null;
        }
        if (p < limit && buf[p] != '#' && buf[p] != '\n') {
            parseSample(start, p);
            return Entry.SAMPLE;
        }
        int end = endLine(start, lineEnd(p));
        if (p == end) {
            if (!text) {
                throw error("unexpected empty line");
            }
            return null;
        }
        return text ? textComment(p + 1, end) : openMetricsComment(p + 1, end);
    }

    /** Ends the line from {@code start} at {@code end}: the next line starts after it. */
    private int endLine(int start, int end) throws LimitExceededException {
        if (lineLengthLimit > 0 && end - start > lineLengthLimit) {
            throw new LimitExceededException(line, "line_length_limit", "line of " + (end - start)
                    + " bytes, more than gateway.scrape.line-length-limit=" + lineLengthLimit);
        }
        pos = end + 1;
        return end;
    }

    /**
     * A comment of the text format after its '#', read as Prometheus' lexer reads it: blanks, HELP
     * or TYPE, blanks, the metric name; the text is all that follows the one character after the
     * name (so {@code # TYPE a  counter} has the invalid type " counter"). "#HELP" (no blank after
     * '#') and any other word make a plain comment. Inside a comment the lexer skips NUL bytes, but
     * takes one where the word after "# " starts for the end of the body.
     */
    private Entry textComment(int p, int end) throws ParseException {
        int word = skipBlanks(p, end);
        if (word == p) {
            return null;
        }
        if (word < end && buf[word] == 0) {
            pos = limit;
            return null;
        }
        Entry entry = Entry.HELP;
        int after = keyword(word, end, "HELP");
        if (after < 0) {
            entry = Entry.TYPE;
            after = keyword(word, end, "TYPE");
        }
        if (after < 0) {
            return null;
        }
        p = metricName(after, end);
        textStart = Math.min(p + 1, end);
        textEnd = end;
        if (entry == Entry.TYPE) {
            type = MetricType.of(buf, textStart, end, format);
            if (type == null) {
                throw invalid("metric type", textStart, end);
            }
        } else {
            help(textStart, end);
        }
        return entry;
    }

    /**
     * Where the name starts after {@code word} at {@code p} and at least one blank, NUL bytes
     * skipped among them as the lexer skips them in a comment; -1 when the comment is no such line.
     */
    private int keyword(int p, int end, String word) {
        for (int i = 0; i < word.length(); i++) {
            p = skipNuls(p, end);
            if (p == end || buf[p] != word.charAt(i)) {
                return -1;
            }
            p++;
        }
        int blanks = skipNuls(p, end);
        if (blanks == end || buf[blanks] != ' ' && buf[blanks] != '\t') {
            return -1;
        }
        while (blanks < end && (buf[blanks] == ' ' || buf[blanks] == '\t' || buf[blanks] == 0)) {
            blanks++;
        }
        return blanks;
    }

    private int skipNuls(int p, int end) {
        while (p < end && buf[p] == 0) {
            p++;
        }
        return p;
    }

    /** Checks HELP text (UTF-8, as Prometheus 3 requires) and whether it needs re-escaping. */
    private void help(int start, int end) throws ParseException {
        if (!validUtf8(start, end)) {
            throw error("HELP text of \"" + text(nameStart, nameEnd) + "\" is not valid UTF-8");
        }
        textCanonical = helpCanonical(start, end);
    }

    /**
     * A comment of OpenMetrics after its '#': exactly {@code  EOF}, or {@code  HELP}, {@code  TYPE}
     * or {@code  UNIT}, one space, the metric name, one space and the text, which may be empty
     * but for a type.
     */
    private Entry openMetricsComment(int p, int end) throws ParseException {
        int word = p + 1;
        if (p == end || buf[p] != ' ') {
            throw expected("a space after '#'", p, end);
        }
        if (end - word == 3 && startsWith(word, "EOF")) {
            eofSeen = true;
            return null;
        }
        Entry entry = end - word > 5 && buf[word + 4] == ' '
                ? (startsWith(word, "HELP") ? Entry.HELP : startsWith(word, "TYPE") ? Entry.TYPE
                        : startsWith(word, "UNIT") ? Entry.UNIT : null)
                : null;
        if (entry == null) {
            throw expected("HELP, TYPE, UNIT or EOF after '#'", word, end);
        }
        p = metricName(word + 5, end);
        if (p == end || buf[p] != ' ') {
            throw expected("a space after the metric name", p, end);
        }
        textStart = p + 1;
        textEnd = end;
        switch (entry) {
            case TYPE -> {
                type = MetricType.of(buf, textStart, end, format);
                if (type == null) {
                    throw invalid("metric type", textStart, end);
                }
            }
            case HELP -> help(textStart, end);
            default -> textCanonical = true;
        }
        return entry;
    }

    /**
     * Parses the sample on the line from {@code start}, whose name starts at {@code p}. Its name
     * and labels (most of a line) are scanned without knowing where the line ends: each of their
     * scans stops at a newline (but for a text format label value, which may hold one, as in
     * Prometheus). Only the few bytes after them are searched for the line's end.
     *
     * <p>Blanks: the text format takes any run of them between the parts, and none before the
     * value where the name or labels end it ({@code a{x="1"}1}, {@code a+1}), as Prometheus'
     * lexer does; OpenMetrics takes exactly one space between the parts and none elsewhere.
     */
    private void parseSample(int start, int p) throws ParseException {
        boolean text = format == ExpositionFormat.TEXT;
        p = metricName(p, limit);
        labelCount = 0;
        labelNameBits = 0;
        int brace = text ? skipBlanks(p, limit) : p;
        if (brace < limit && buf[brace] == '{') {
            p = labels(brace + 1, limit, true);
        }
        int end = endLine(start, lineEnd(p));
        p = text ? skipBlanks(p, end) : space(p, end, "the sample value");
        valueStart = p;
        p = token(p, end);
        valueEnd = p;
        if (valueStart == valueEnd) {
            throw expected("the sample value", p, end);
        }
        specialValue = checkFloat(valueStart, valueEnd, "sample value");
        hasTimestamp = false;
        exemplarLabelsStart = -1;
        if (text) {
            p = skipBlanks(p, end);
            if (p < end) {
                int tsStart = p;
                p = token(p, end);
                timestampMillis = textTimestamp(tsStart, p);
                hasTimestamp = true;
                if (skipBlanks(p, end) < end) {
                    throw expected("end of line after the sample", skipBlanks(p, end), end);
                }
            }
            return;
        }
        if (p < end) {
            p = space(p, end, "a timestamp or an exemplar");
            if (buf[p] != '#') {
                int tsStart = p;
                p = token(p, end);
                openMetricsTimestamp(tsStart, p);
                hasTimestamp = true;
                if (p < end) {
                    p = space(p, end, "an exemplar");
                }
            }
            if (p < end) {
                exemplar(p, end);
            }
        }
    }

    /** The end of the run of bytes from {@code p} up to a blank or {@code end}. */
    private int token(int p, int end) {
        while (p < end && buf[p] != ' ' && buf[p] != '\t') {
            p++;
        }
        return p;
    }

    /** After the one space at {@code p} that OpenMetrics puts before {@code what}. */
    private int space(int p, int end, String what) throws ParseException {
        if (p >= end || buf[p] != ' ' || p + 1 == end || buf[p + 1] == ' ' || buf[p + 1] == '\t') {
            throw expected("one space and " + what, p, end);
        }
        return p + 1;
    }

    /**
     * Checks an OpenMetrics exemplar, {@code # {labels} value [timestamp]} from its '#' at
     * {@code p}, and records where it is (see {@link #exemplar()}).
     */
    private void exemplar(int p, int end) throws ParseException {
        if (buf[p] != '#' || p + 2 >= end || buf[p + 1] != ' ' || buf[p + 2] != '{') {
            throw expected("'# {' to start an exemplar", p, end);
        }
        int labelsStart = p + 2;
        p = labels(labelsStart + 1, end, false);
        if (exemplarLength(labelsStart, p) > MAX_EXEMPLAR_LABELS_LENGTH) {
            throw error("exemplar labels of more than " + MAX_EXEMPLAR_LABELS_LENGTH + " characters");
        }
        p = space(p, end, "the exemplar value");
        int valueStart = p;
        p = token(p, end);
        checkFloat(valueStart, p, "exemplar value");
        if (p < end) {
            p = space(p, end, "the exemplar timestamp");
            int tsStart = p;
            p = token(p, end);
            if (p < end || checkFloat(tsStart, p, "exemplar timestamp") != null) {
                throw invalid("exemplar timestamp", tsStart, end);
            }
        }
        exemplarLabelsStart = labelsStart;
        exemplarEnd = end;
    }

    /**
     * The characters (code points) of an exemplar's label names and values, the values unescaped:
     * OpenMetrics bounds their sum. Quotes, '=', ',' and braces do not count; an escape of
     * {@code \\ \" \n} is one character (any other backslash is kept, a character of its own).
     */
    private int exemplarLength(int start, int end) {
        int n = 0;
        boolean quoted = false;
        for (int p = start; p < end; p++) {
            byte b = buf[p];
            if (b == '"') {
                quoted = !quoted;
            } else if (quoted || b != '{' && b != '}' && b != '=' && b != ',') {
                if (quoted && b == '\\' && (buf[p + 1] == '\\' || buf[p + 1] == '"' || buf[p + 1] == 'n')) {
                    p++;
                }
                n += (b & 0xc0) == 0x80 ? 0 : 1; // Not a UTF-8 continuation byte: a character starts.
            }
        }
        return n;
    }

    private int metricName(int p, int end) throws ParseException {
        int start = p;
        if (p < end && isNameStart(buf[p], true)) {
            p++;
            while (p < end && isNameChar(buf[p], true)) {
                p++;
            }
        }
        if (p == start) {
            throw expected("a metric name", p, end);
        }
        nameStart = start;
        nameEnd = p;
        return p;
    }

    /**
     * Parses a label set after its '{' and up to {@code end} or a newline; records the labels of a
     * sample, only checks an exemplar's. The text format takes blanks between the parts, a comma
     * after the last label, none between two (Prometheus' lexer reads {@code {a="1" b="2"}}) and
     * line feeds inside values; OpenMetrics none of these.
     */
    private int labels(int p, int end, boolean record) throws ParseException {
        boolean text = format == ExpositionFormat.TEXT;
        boolean afterComma = false;
        while (true) {
            p = text ? skipBlanks(p, end) : p;
            if (p < end && buf[p] == '}' && (text || !afterComma)) {
                return p + 1;
            }
            int ns = p;
            if (p < end && isNameStart(buf[p], false)) {
                p++;
                while (p < end && isNameChar(buf[p], false)) {
                    p++;
                }
            }
            if (p == ns) {
                throw expected(afterComma && !text ? "a label name" : "a label name or '}'", p, end);
            }
            int ne = p;
            if (ByteRuns.equal(buf, ns, ne, NAME_LABEL, 0, NAME_LABEL.length)) {
                // The name is the series' __name__; a second one would make an invalid series.
                throw error("label name \"__name__\" is reserved");
            }
            p = text ? skipBlanks(p, end) : p;
            if (p >= end || buf[p] != '=') {
                throw expectedAfterLabel("'=' after label name", ns, ne, p, end);
            }
            p = text ? skipBlanks(p + 1, end) : p + 1;
            if (p >= end || buf[p] != '"') {
                throw expectedAfterLabel("'\"' to start the value of label", ns, ne, p, end);
            }
            int vs = ++p;
            int valueLine = line;
            boolean canonical = true;
            while (true) {
                p = plainValueEnd(p, end);
                if (p < end && buf[p] == '\n' && text) {
                    line++; // A line feed inside a value: the next line's number is one more.
                    canonical = false;
                    p++;
                    continue;
                }
                if (p >= end || buf[p] == '\n') {
                    line = valueLine;
                    throw labelError("unterminated value of label", ns, ne);
                }
                byte b = buf[p];
                if (b == '"') {
                    break;
                }
                if (b == '\\') {
                    if (p + 1 >= end || buf[p + 1] == '\n') {
                        throw labelError("unterminated value of label", ns, ne);
                    }
                    byte next = buf[p + 1];
                    canonical &= next == '\\' || next == '"' || next == 'n';
                    // Escapes are ASCII; a byte beyond it starts a character, checked as UTF-8 next.
                    p += next >= 0 ? 2 : 1;
                } else { // Not ASCII: the one other byte plainValueEnd stops at.
                    int n = utf8Length(p, end);
                    if (n < 0) {
                        throw labelError("invalid UTF-8 in the value of label", ns, ne);
                    }
                    p += n;
                }
            }
            if (record) {
                addLabel(ns, ne, vs, p, canonical);
            }
            p = text ? skipBlanks(p + 1, end) : p + 1;
            afterComma = p < end && buf[p] == ',';
            if (afterComma) {
                p++;
            } else if (p < end && buf[p] == '}') {
                return p + 1;
            } else if (!text || p >= end || !isNameStart(buf[p], false)) {
                throw expected("',' or '}' after a label value", p, end);
            }
        }
    }

    /**
     * The first double quote, backslash, newline or non-ASCII byte from {@code p} on, or
     * {@code end}: the rest of a label value's bytes need no look, and values are a third of a
     * body, so this looks at eight bytes at a time.
     */
    private int plainValueEnd(int p, int end) {
        for (; p + 8 <= end; p += 8) {
            long stops = ByteRuns.valueStops((long) ByteRuns.LONGS.get(buf, p));
            if (stops != 0) {
                return p + (Long.numberOfTrailingZeros(stops) >>> 3);
            }
        }
        while (p < end && buf[p] >= 0 && buf[p] != '"' && buf[p] != '\\' && buf[p] != '\n') {
            p++;
        }
        return p;
    }

    private void addLabel(int ns, int ne, int vs, int ve, boolean canonical) throws ParseException {
        long bit = 1L << ((ne - ns) * 31 + buf[ns]); // The shift takes the low six bits.
        if ((labelNameBits & bit) != 0) { // Rarely: the names are compared only then.
            for (int i = 0; i < labelCount; i++) {
                if (ByteRuns.equal(buf, labelNameStart(i), labelNameEnd(i), buf, ns, ne)) {
                    throw labelError("duplicate label name", ns, ne);
                }
            }
        }
        labelNameBits |= bit;
        if (labelCount == labelCanonical.length) {
            labelOffsets = Arrays.copyOf(labelOffsets, labelOffsets.length * 2);
            labelCanonical = Arrays.copyOf(labelCanonical, labelCanonical.length * 2);
        }
        int o = 4 * labelCount;
        labelOffsets[o] = ns;
        labelOffsets[o + 1] = ne;
        labelOffsets[o + 2] = vs;
        labelOffsets[o + 3] = ve;
        labelCanonical[labelCount++] = canonical;
    }

    /** A text format timestamp: milliseconds, digits only (Prometheus' lexer takes no sign), within 64 bits. */
    private long textTimestamp(int start, int end) throws ParseException {
        long value = 0;
        for (int p = start; p < end; p++) {
            int digit = buf[p] - '0';
            if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
                throw invalid("timestamp", start, end);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** An OpenMetrics timestamp: seconds, a number but not NaN or an infinity. */
    private void openMetricsTimestamp(int start, int end) throws ParseException {
        if (checkFloat(start, end, "timestamp") != null) {
            throw invalid("timestamp", start, end);
        }
        timestampSeconds = Double.parseDouble(text(start, end));
        // Prometheus converts OpenMetrics seconds to milliseconds the same way.
        timestampMillis = (long) (timestampSeconds * 1000);
    }

    /**
     * Checks a number as Prometheus reads it: the syntax of Go's {@code strconv.ParseFloat} less
     * hexadecimal floats and digit separators, which Prometheus refuses ("unsupported character in
     * float") and OpenMetrics does not know. What passes is read alike by Go, Java and the
     * OpenMetrics grammar, so it is written out as it came. Returns the canonical bytes of a
     * special value, or null for an ordinary number.
     */
    private byte[] checkFloat(int start, int end, String what) throws ParseException {
        int p = start;
        boolean negative = false;
        if (p < end && (buf[p] == '+' || buf[p] == '-')) {
            negative = buf[p] == '-';
            p++;
        }
        if (equalsIgnoreCase(p, end, "inf") || equalsIgnoreCase(p, end, "infinity")) {
            return negative ? NEG_INF : POS_INF;
        }
        if (p == start && equalsIgnoreCase(p, end, "nan")) {
            return NAN;
        }
        int digits = 0;
        int integerDigits = 0;
        boolean dot = false;
        for (; p < end; p++) {
            byte b = buf[p];
            if (b == '.' && !dot) {
                dot = true;
            } else if (isDigit(b)) {
                digits++;
                integerDigits += dot ? 0 : 1;
            } else {
                break;
            }
        }
        boolean ok = digits > 0;
        int magnitude = integerDigits; // Up to a power of 10.
        if (ok && p < end && (buf[p] | 0x20) == 'e') {
            p++;
            boolean negativeExponent = p < end && buf[p] == '-';
            if (p < end && (buf[p] == '+' || buf[p] == '-')) {
                p++;
            }
            int expStart = p;
            int exponentValue = 0;
            while (p < end && isDigit(buf[p])) {
                exponentValue = Math.min(100_000, exponentValue * 10 + buf[p] - '0');
                p++;
            }
            ok = p > expStart;
            magnitude += negativeExponent ? -exponentValue : exponentValue;
        }
        if (!ok || p != end) {
            throw invalid(what, start, end);
        }
        // Go's ParseFloat fails on a number beyond the largest double (Java's gives Infinity), and
        // Prometheus with it: passing one on would break the whole merged answer. Only a number of
        // about 10^308 or more can get there, so only those are parsed to find out.
        if (magnitude >= 306 && Double.isInfinite(Double.parseDouble(text(start, end)))) {
            throw error(what + " " + found(start, end) + " is out of the range of a 64-bit float");
        }
        return null;
    }


    private boolean helpCanonical(int start, int end) {
        for (int p = start; p < end; p++) {
            if (buf[p] == '\\') {
                if (p + 1 == end || (buf[p + 1] != '\\' && buf[p + 1] != 'n')) {
                    return false;
                }
                p++;
            }
        }
        return true;
    }

    /** Length of the well-formed UTF-8 sequence starting at p, or -1. */
    private int utf8Length(int p, int end) {
        int b = buf[p] & 0xff;
        int n;
        int min;
        if (b >= 0xc2 && b <= 0xdf) {
            n = 2;
            min = 0x80;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 3;
            min = 0x800;
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 4;
            min = 0x10000;
        } else {
            return -1;
        }
        if (p + n > end) {
            return -1;
        }
        int cp = b & (0xff >> (n + 1));
        for (int i = 1; i < n; i++) {
            int c = buf[p + i] & 0xff;
            if ((c & 0xc0) != 0x80) {
                return -1;
            }
            cp = (cp << 6) | (c & 0x3f);
        }
        boolean surrogate = cp >= 0xd800 && cp <= 0xdfff;
        return cp < min || cp > 0x10ffff || surrogate ? -1 : n;
    }

    private int skipBlanks(int p, int end) {
        while (p < end && (buf[p] == ' ' || buf[p] == '\t')) {
            p++;
        }
        return p;
    }

    private boolean equalsIgnoreCase(int start, int end, String word) {
        if (end - start != word.length()) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if ((buf[start + i] | 0x20) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWith(int p, String word) {
        for (int i = 0; i < word.length(); i++) {
            if (buf[p + i] != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean validUtf8(int p, int end) {
        while (p < end) {
            int n = buf[p] >= 0 ? 1 : utf8Length(p, end);
            if (n < 0) {
                return false;
            }
            p += n;
        }
        return true;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean isNameStart(byte b, boolean colon) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_' || (colon && b == ':');
    }

    static boolean isNameChar(byte b, boolean colon) {
        return (colon ? METRIC_NAME_CHARS : LABEL_NAME_CHARS)[b & 0xff];
    }

    /** Characters of label (metric) names, by byte: a table look-up, as names are most of the bytes parsed. */
    private static boolean[] nameChars(boolean colon) {
        boolean[] chars = new boolean[256];
        for (int b = 0; b < 128; b++) {
            chars[b] = isNameStart((byte) b, colon) || isDigit((byte) b);
        }
        return chars;
    }

    private String text(int start, int end) {
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    /** What the line holds from {@code p} on: the name and labels are parsed up to the limit. */
    private String found(int p, int end) {
        end = Math.min(end, lineEnd(p));
        if (p >= end) {
            return "end of line";
        }
        int stop = Math.min(end, p + 40);
        return "\"" + text(p, stop) + (stop < end ? "..." : "") + "\"";
    }

    // The messages are built out of line: a native executable compiles what it inlines, and string
    // building in the scanning loops would crowd out the small methods they call.

    private ParseException expected(String what, int p, int end) {
        return error("expected " + what + ", found " + found(p, end));
    }

    private ParseException expectedAfterLabel(String what, int ns, int ne, int p, int end) {
        return expected(what + " \"" + text(ns, ne) + "\"", p, end);
    }

    private ParseException invalid(String what, int start, int end) {
        return error("invalid " + what + " " + found(start, end));
    }

    private ParseException labelError(String problem, int ns, int ne) {
        return error(problem + " \"" + text(ns, ne) + "\"");
    }

    private ParseException error(String message) {
        return new ParseException(line, message);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
