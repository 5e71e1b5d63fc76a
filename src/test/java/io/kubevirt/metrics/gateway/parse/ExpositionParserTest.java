package io.kubevirt.metrics.gateway.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubevirt.metrics.gateway.testing.Samples;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExpositionParserTest {

    /** Renders every entry as one line: kind, name, labels (escaped, as given), value, timestamp. */
    static List<String> entries(String body, ExpositionFormat format) throws ParseException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ExpositionParser p = new ExpositionParser(b, b.length, format);
        List<String> out = new ArrayList<>();
        ExpositionParser.Entry e;
        while ((e = p.next()) != null) {
            String name = text(b, p.nameStart(), p.nameEnd());
            switch (e) {
                case HELP, UNIT -> out.add(e + " " + name + " [" + text(b, p.textStart(), p.textEnd()) + "]"
                        + (p.textCanonical() ? "" : " non-canonical"));
                case TYPE -> out.add("TYPE " + name + " " + p.type().text());
                case SAMPLE -> {
                    StringBuilder s = new StringBuilder(name).append('{');
                    for (int i = 0; i < p.labelCount(); i++) {
                        s.append(i > 0 ? "," : "").append(text(b, p.labelNameStart(i), p.labelNameEnd(i)))
                                .append("=\"").append(text(b, p.labelValueStart(i), p.labelValueEnd(i)))
                                .append(p.labelValueCanonical(i) ? "\"" : "\"!");
                    }
                    s.append("} ").append(p.specialValue() != null ? new String(p.specialValue(),
                            StandardCharsets.US_ASCII) + "*" : text(b, p.valueStart(), p.valueEnd()));
                    if (p.hasTimestamp()) {
                        s.append(" @").append(p.timestampMillis());
                    }
                    out.add(s.toString());
                }
                default -> throw new AssertionError(e);
            }
        }
        return out;
    }

    private static String text(byte[] b, int s, int e) {
        return new String(b, s, e - s, StandardCharsets.UTF_8);
    }

    private static String one(String line) throws ParseException {
        List<String> entries = entries(line + "\n", ExpositionFormat.TEXT);
        assertEquals(1, entries.size(), entries.toString());
        return entries.get(0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "plain sample | up 1 | up{} 1",
        "labels | a{x=\"1\",y=\"2\"} 3 | a{x=\"1\",y=\"2\"} 3",
        "empty braces | a{} 3 | a{} 3",
        "trailing comma | a{x=\"1\",} 3 | a{x=\"1\"} 3",
        "no comma between labels, as Prometheus reads it | a{x=\"1\" y=\"2\"} 3 | a{x=\"1\",y=\"2\"} 3",
        "blank before the brace | a {x=\"1\"} 3 | a{x=\"1\"} 3",
        "no blank after the brace | a{x=\"1\"}3 | a{x=\"1\"} 3",
        "no blank after the name before a sign | a+3 | a{} +3",
        "blanks after the timestamp | 'a 3 5  ' | a{} 3 @5",
        "blanks inside braces | a{ x = \"1\" , y=\"2\" } 3 | a{x=\"1\",y=\"2\"} 3",
        "tab before value | a\t5 | a{} 5",
        "timestamp | a 5 1712653214771 | a{} 5 @1712653214771",
        "escapes kept as given | a{p=\"C:\\\\x\",q=\"say \\\"hi\\\"\",n=\"a\\nb\"} 1 | a{p=\"C:\\\\x\",q=\"say \\\"hi\\\"\",n=\"a\\nb\"} 1",
        "unknown escape is not canonical | a{p=\"\\t\"} 1 | a{p=\"\\t\"!} 1",
        "NaN | a NaN | a{} NaN*",
        "nan any case | a nan | a{} NaN*",
        "+Inf | a +Inf | a{} +Inf*",
        "Inf without sign | a Inf | a{} +Inf*",
        "-inf | a -inf | a{} -Inf*",
        "infinity | a -Infinity | a{} -Inf*",
        "exponent | a 1.5E+03 | a{} 1.5E+03",
        "negative zero | a -0 | a{} -0",
        "leading dot | a .5 | a{} .5",
        "trailing dot | a 5. | a{} 5.",
        "colon in name | job:rate:5m 1 | job:rate:5m{} 1",
        "utf8 value | a{v=\"虚拟机 🚀\"} 1 | a{v=\"虚拟机 🚀\"} 1",
        "leading blanks | '   a 1' | a{} 1",
    })
    void parsesSamples(String name, String line, String expected) throws ParseException {
        assertEquals(expected, one(line));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "no value | a | line 1: expected the sample value, found end of line",
        "hex float, refused by Prometheus | a 0x1p-2 | line 1: invalid sample value \"0x1p-2\"",
        "negative timestamp, refused by Prometheus' lexer | a 5 -1 | line 1: invalid timestamp \"-1\"",
        "signed timestamp | a 5 +1 | line 1: invalid timestamp \"+1\"",
        "two blanks before the type | '# TYPE a  counter' | line 1: invalid metric type \" counter\"",
        "blank after the type | '# TYPE a counter ' | line 1: invalid metric type \"counter \"",
        "bad value | a 1x | line 1: invalid sample value \"1x\"",
        "underscore in number | a 1_000 | line 1: invalid sample value \"1_000\"",
        "signed NaN | a +NaN | line 1: invalid sample value \"+NaN\"",
        "Java suffix | a 1.5d | line 1: invalid sample value \"1.5d\"",
        "hex without exponent | a 0x10 | line 1: invalid sample value \"0x10\"",
        "bad timestamp | a 1 12.5 | line 1: invalid timestamp \"12.5\"",
        "timestamp overflow | a 1 99999999999999999999 | line 1: invalid timestamp \"99999999999999999999\"",
        "extra token | a 1 2 3 | line 1: expected end of line after the sample, found \"3\"",
        "unterminated value | a{x=\"1} 1 | line 1: unterminated value of label \"x\"",
        "missing equals | a{x\"1\"} 1 | line 1: expected '=' after label name \"x\", found \"\"1\"} 1\"",
        "bad label name | a{1x=\"1\"} 1 | line 1: expected a label name or '}', found \"1x=\"1\"} 1\"",
        "no comma before a value | a{x=\"1\" \"2\"} 1 | line 1: expected ',' or '}' after a label value, found \"\"2\"} 1\"",
        "duplicate label | a{x=\"1\",x=\"2\"} 1 | line 1: duplicate label name \"x\"",
        "duplicate among names alike | a{ab=\"1\",ac=\"2\",Bx=\"3\",ab=\"4\"} 1 | line 1: duplicate label name \"ab\"",
        "bad metric name | 1a 1 | line 1: expected a metric name, found \"1a 1\"",
        "bad type | # TYPE a countr | line 1: invalid metric type \"countr\"",
        "OpenMetrics type in text | # TYPE a info | line 1: invalid metric type \"info\"",
        // A sample's name and labels are scanned without knowing the line's end: each scan must
        // stop at the newline, not take the next line in (but for a value, which may hold one).
        "newline after an escape | 'a{x=\"1\\\n\"} 1' | line 1: unterminated value of label \"x\"",
        "newline after a value | 'a{x=\"1\" y\n\"} 1' | line 1: expected '=' after label name \"y\", found end of line",
        "newline after a comma | 'a{x=\"1\",\ny=\"2\"} 1' | line 1: expected a label name or '}', found end of line",
        "newline after a label name | 'a{x\n=\"1\"} 1' | line 1: expected '=' after label name \"x\", found end of line",
        "newline after the name | 'a\n{x=\"1\"} 1' | line 1: expected the sample value, found end of line",
    })
    void rejectsInvalidLines(String name, String line, String message) {
        ParseException e = assertThrows(ParseException.class, () -> entries(line + "\n", ExpositionFormat.TEXT));
        assertEquals(message, e.getMessage());
        assertEquals(1, e.line());
    }

    /** Prometheus' lexer takes a line feed inside a label value; so does the parser, counting the line. */
    @Test
    void takesALineFeedInsideALabelValue() throws ParseException {
        assertEquals(List.of("a{x=\"1\n2\"!} 1", "b{} 2"), entries("a{x=\"1\n2\"} 1\nb 2\n", ExpositionFormat.TEXT));
        ParseException e = assertThrows(ParseException.class,
                () -> entries("a{x=\"1\n2\"} 1\nb x\n", ExpositionFormat.TEXT));
        assertEquals(3, e.line());
    }

    /** Prometheus' lexer takes a NUL byte where a line's first token starts for the end of the body. */
    @Test
    void endsTheBodyAtANulByteWhereALineStarts() throws ParseException {
        assertEquals(List.of("a{} 1"), entries("a 1\n  \0 not read\nb 2\n", ExpositionFormat.TEXT));
    }

    /** A carriage return is no blank to Prometheus' lexer: a line that ends in one is invalid. */
    @Test
    void rejectsACarriageReturnAtTheEndOfASample() {
        ParseException e = assertThrows(ParseException.class, () -> entries("a 1\r\n", ExpositionFormat.TEXT));
        assertEquals("line 1: invalid sample value \"1\r\"", e.getMessage());
    }

    /**
     * Inside a comment Prometheus' lexer skips NUL bytes (found by ParseDifferentialIT), but one
     * where the word after "# " starts ends the body.
     */
    @Test
    void readsNulBytesInCommentsAsPrometheusDoes() throws ParseException {
        assertEquals(List.of("HELP a [x]", "a{} 1"), entries("# HE\0LP \0a x\na 1\n", ExpositionFormat.TEXT));
        assertEquals(List.of("a{} 1"), entries("a 1\n# \0TYPE b gauge\nb{ 2\n", ExpositionFormat.TEXT));
        assertEquals(List.of("a{} 1"), entries("# a comment \0 with a NUL\na 1\n", ExpositionFormat.TEXT));
    }

    /** Prometheus 3 refuses HELP text that is not UTF-8 (2.x did not look). */
    @Test
    void rejectsHelpTextThatIsNotUtf8() {
        byte[] body = {'#', ' ', 'H', 'E', 'L', 'P', ' ', 'a', ' ', (byte) 0xff, '\n', 'a', ' ', '1', '\n'};
        ParseException e = assertThrows(ParseException.class,
                () -> new ExpositionParser(body, body.length, ExpositionFormat.TEXT).next());
        assertEquals("line 1: HELP text of \"a\" is not valid UTF-8", e.getMessage());
    }

    @Test
    void errorNamesTheLine() {
        ParseException e = assertThrows(ParseException.class,
                () -> entries("# HELP a x\n# TYPE a gauge\na 1\n\na{b=\"\\xff\n", ExpositionFormat.TEXT));
        assertEquals(5, e.line());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e309", "-1e309", "17976931348623159e292"})
    void rejectsNumbersBeyondADoubleAsGoDoes(String value) {
        byte[] body = ("a " + value + "\n").getBytes(StandardCharsets.UTF_8);
        ParseException e = assertThrows(ParseException.class,
                () -> new ExpositionParser(body, body.length, ExpositionFormat.TEXT).next());
        assertEquals("line 1: sample value \"" + value + "\" is out of the range of a 64-bit float", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.7976931348623157e308", "1e-320", "4.9e-324", "1e308"})
    void acceptsNumbersWithinADouble(String value) throws ParseException {
        byte[] body = ("a " + value + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(ExpositionParser.Entry.SAMPLE, new ExpositionParser(body, body.length, ExpositionFormat.TEXT).next());
    }

    /**
     * Names are compared only when a quick check (length times 31 plus the first byte, modulo 64)
     * says they may be equal: "a" and "Bx" pass it, as do "ab" and "ac", and are still told apart.
     */
    @Test
    void tellsLabelNamesApartThatLookAlike() throws ParseException {
        byte[] body = "m{a=\"1\",Bx=\"2\",ab=\"3\",ac=\"4\"} 1\n".getBytes(StandardCharsets.UTF_8);
        ExpositionParser parser = new ExpositionParser(body, body.length, ExpositionFormat.TEXT);
        assertEquals(ExpositionParser.Entry.SAMPLE, parser.next());
        assertEquals(4, parser.labelCount());
        assertEquals("Bx", text(body, parser.labelNameStart(1), parser.labelNameEnd(1)));
    }

    @Test
    void rejectsANameLabelInsideTheBraces() {
        byte[] body = "a{__name__=\"b\"} 1\n".getBytes(StandardCharsets.UTF_8);
        ParseException e = assertThrows(ParseException.class,
                () -> new ExpositionParser(body, body.length, ExpositionFormat.TEXT).next());
        assertEquals("line 1: label name \"__name__\" is reserved", e.getMessage());
    }

    @Test
    void rejectsInvalidUtf8InLabelValues() {
        byte[] body = {'a', '{', 'x', '=', '"', (byte) 0xc3, (byte) 0x28, '"', '}', ' ', '1', '\n'};
        ParseException e = assertThrows(ParseException.class,
                () -> new ExpositionParser(body, body.length, ExpositionFormat.TEXT).next());
        assertEquals("line 1: invalid UTF-8 in the value of label \"x\"", e.getMessage());
    }

    /** A backslash does not make the byte after it exempt from the check (found by MergedAnswerPropertiesTest). */
    @Test
    void rejectsInvalidUtf8AfterABackslashInLabelValues() {
        byte[] body = {'a', '{', 'x', '=', '"', '\\', (byte) 0xff, 'V', '"', '}', ' ', '1', '\n'};
        ParseException e = assertThrows(ParseException.class,
                () -> new ExpositionParser(body, body.length, ExpositionFormat.TEXT).next());
        assertEquals("line 1: invalid UTF-8 in the value of label \"x\"", e.getMessage());
    }

    @Test
    void keepsABackslashBeforeACharacterBeyondAscii() throws ParseException {
        byte[] body = "a{x=\"C:\\é\"} 1\n".getBytes(StandardCharsets.UTF_8);
        ExpositionParser parser = new ExpositionParser(body, body.length, ExpositionFormat.TEXT);
        parser.next();
        assertEquals("C:\\é", Escapes.unescapeLabelValue(body, parser.labelValueStart(0), parser.labelValueEnd(0)));
    }

    @Test
    void readsMetadataAndSkipsComments() throws ParseException {
        String body = """
                # a free comment
                #HELP not metadata
                # HELP a Some help \\\\ with \\n escapes.
                # TYPE a counter

                # HELP b
                # HELP c  two blanks, the first of them text
                # HELP d text \\" quote
                a 1
                """;
        assertEquals(List.of(
                "HELP a [Some help \\\\ with \\n escapes.]",
                "TYPE a counter",
                "HELP b []",
                "HELP c [ two blanks, the first of them text]",
                "HELP d [text \\\" quote] non-canonical",
                "a{} 1"), entries(body, ExpositionFormat.TEXT));
    }

    @Test
    void readsTheEdgeCasesSample() throws ParseException {
        List<String> entries = entries(Samples.text("edge-cases.prom"), ExpositionFormat.TEXT);
        assertTrue(entries.contains("kv_edge_escaped_labels{path=\"C:\\\\VMs\\\\disk0.qcow2\",quote=\"say \\\"hi\\\"\","
                + "multiline=\"line1\\nline2\"} 1"));
        assertTrue(entries.contains("kv_edge_trailing_comma{a=\"1\",b=\"2\"} 1"));
        assertTrue(entries.contains("kv_edge_whitespace{a=\"2\"} 6 @1712653214771"));
        assertTrue(entries.contains("kv_edge_special_values{case=\"neg_inf\"} -Inf*"));
        assertTrue(entries.contains("kv_edge_special_values{case=\"integer_big\"} 9007199254740993"));
        assertTrue(entries.contains("TYPE kubevirt_vmi_storage_read_latency_seconds_bucket gauge"));
        assertTrue(entries.contains("HELP kv_edge_empty_help []"));
        // 50 sample lines: grep -cvE "^#|^$" edge-cases.prom
        assertEquals(50, entries.stream().filter(e -> !e.startsWith("HELP") && !e.startsWith("TYPE")).count());
    }

    @Test
    void readsOpenMetrics() throws ParseException {
        List<String> entries = entries(Samples.text("openmetrics.txt"), ExpositionFormat.OPENMETRICS);
        assertTrue(entries.contains("TYPE kubevirt info"));
        assertTrue(entries.contains("UNIT kubevirt_vmi_network_receive_bytes [bytes]"));
        assertTrue(entries.contains("HELP kubevirt_edge_escapes [OpenMetrics escaping: backslash \\\\, quote \\\", "
                + "newline \\n in HELP.] non-canonical"));
        // Exemplars are checked and dropped; OpenMetrics timestamps are seconds.
        assertTrue(entries.contains("kubevirt_workqueue_depth{name=\"virt-handler-source\"} 1 @1712653214771"));
        assertTrue(entries.stream().anyMatch(e -> e.startsWith(
                "kubevirt_rest_client_request_latency_seconds_bucket{url=") && e.endsWith("le=\"0.005\"} 4992")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "missing EOF | a 1 | expected \"# EOF\" at the end of an OpenMetrics exposition",
        "content after EOF | '# EOF\na 1' | line 2: unexpected content after \"# EOF\"",
        "free comment | '# hello\n# EOF' | line 1: expected HELP, TYPE, UNIT or EOF after '#', found \"hello\"",
        "blank line | '\n# EOF' | line 1: unexpected empty line",
        "bad exemplar | 'a_bucket{le=\"1\"} 1 # x\n# EOF' | line 1: expected '# {' to start an exemplar, found \"# x\"",
        "two spaces before the value | 'a  1\n# EOF' | line 1: expected one space and the sample value, found \"  1\"",
        "tab before the value | 'a\t1\n# EOF' | line 1: expected one space and the sample value, found \"\t1\"",
        "blank after the value | 'a 1 \n# EOF' | line 1: expected one space and a timestamp or an exemplar, found \" \"",
        "trailing comma | 'a{x=\"1\",} 1\n# EOF' | line 1: expected a label name, found \"} 1\"",
        "blank in the labels | 'a{x= \"1\"} 1\n# EOF' | line 1: expected '\"' to start the value of label \"x\", found \" \"1\"} 1\"",
        "two spaces after '#' | '#  HELP a x\n# EOF' | line 1: expected HELP, TYPE, UNIT or EOF after '#', found \" HELP a x\"",
        "HELP without its space | '# HELP a\n# EOF' | line 1: expected a space after the metric name, found end of line",
    })
    void rejectsInvalidOpenMetrics(String name, String body, String message) {
        ParseException e = assertThrows(ParseException.class,
                () -> entries(body + "\n", ExpositionFormat.OPENMETRICS));
        assertTrue(e.getMessage().endsWith(message), e.getMessage());
    }

    @Test
    void emptyBodyHasNoEntries() throws ParseException {
        assertTrue(entries("", ExpositionFormat.TEXT).isEmpty());
        ExpositionParser p = new ExpositionParser(new byte[0], 0, ExpositionFormat.TEXT);
        assertNull(p.next());
    }

    @Test
    void lastLineNeedsNoNewline() throws ParseException {
        assertEquals(List.of("a{} 1"), entries("a 1", ExpositionFormat.TEXT));
        assertFalse(entries("a 1", ExpositionFormat.TEXT).isEmpty());
    }

    /** Lines end wherever they end: at every offset from the eight-byte steps of the newline search. */
    @Test
    void findsEveryLineEndAtAnyOffset() throws ParseException {
        StringBuilder body = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < 40; n++) {
            String name = "m" + "x".repeat(n % 19);
            String blanks = " ".repeat(n % 7);
            body.append(name).append(blanks).append(' ').append(n).append('\n');
            expected.add(name + "{} " + n);
            body.append("\n".repeat(n % 3)); // Empty lines too.
        }
        body.append("last 1"); // And a last line without a newline.
        expected.add("last{} 1");
        assertEquals(expected, entries(body.toString(), ExpositionFormat.TEXT));
        for (int cut = 1; cut < 17; cut++) { // The newline near the limit, inside and past the last eight bytes.
            String text = "a".repeat(cut) + " 1\n" + "b 2";
            assertEquals(List.of("a".repeat(cut) + "{} 1", "b{} 2"), entries(text, ExpositionFormat.TEXT));
        }
    }

    /**
     * The value scan's stops (the closing quote, a backslash, a character beyond ASCII) at every
     * offset from its eight-byte steps, and values that end near the line's end.
     */
    @Test
    void findsEveryStopInALabelValueAtAnyOffset() throws ParseException {
        for (int n = 0; n < 20; n++) {
            String run = "v".repeat(n);
            assertEquals("m{a=\"" + run + "\"} 1", one("m{a=\"" + run + "\"} 1"));
            assertEquals("m{a=\"" + run + "\\\"" + run + "\"} 1", one("m{a=\"" + run + "\\\"" + run + "\"} 1"));
            assertEquals("m{a=\"" + run + "\\t\"!} 1", one("m{a=\"" + run + "\\t\"} 1"));
            assertEquals("m{a=\"" + run + "é" + run + "\",b=\"x\"} 1", one("m{a=\"" + run + "é" + run + "\",b=\"x\"} 1"));
            String unterminated = "m{a=\"" + run;
            assertTrue(assertThrows(ParseException.class, () -> entries(unterminated + "\n", ExpositionFormat.TEXT))
                    .getMessage().contains("unterminated value of label \"a\""), unterminated);
        }
    }
}
