package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The literals read from a regex only ever turn away inputs the regex cannot match. */
class RegexLiteralsTest {

    @ParameterizedTest(name = "{0} reads as {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "virt-handler | =virt-handler",
        "virt\\.handler | =virt.handler",
        "`` | …",
        "virt-(.*) | virt-…",
        "kubevirt_vmi_memory_.*;(rhel9.*) | kubevirt_vmi_memory_…;…rhel9…",
        "(.*)_total | …_total",
        "`.*_bucket|.*_sum` | …",
        "ab* | a…",
        "ab{0,1}c | a…c",
        "a(bc)?d | a…d",
        "a(b(c)d)+e | a…e",
        "a(?:bc)d | a…bc…d",
        "(a)(b) | …a…b…",
        "x🚀*y | x…y",
        "é🚀+ | é…",
        "[ab]c[^]d]e | …c…e",
        "a\\dc\\bd | a…c…d",
        "ubuntu-ci-03-1[0-9][0-9] | ubuntu-ci-03-1…",
        // What the reading gives up on.
        "(?i)abc | …",
        "a(?P<x>b)c | …",
        "\\123abc | …",
        "\\x41bc | …",
        "\\pLbc | …",
        "\\Q.*\\Eab | …",
        "[[:alpha:]]ab | …",
        "[\\]]ab | …",
        "a{b | …",
    })
    void readsOnlyWhatEveryMatchContains(String regex, String reading) {
        Pattern.compile(regex); // Every case is a valid RE2 expression.
        assertEquals(reading, RegexLiterals.of(regex).toString());
    }

    @ParameterizedTest(name = "{0} turns away \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "kubevirt_vmi_memory_.*;(rhel9.*) | kubevirt_vmi_memory_used_bytes;fedora-1",
        "kubevirt_vmi_memory_.*;(rhel9.*) | kubevirt_vmi_cpu;rhel9-db",
        "abc.*abc | abc",
        "abc.*abc | abcab",
        "a.*b.*c | acb",
        "virt-handler | virt-handlers",
    })
    void turnsAwayWhatCannotMatch(String regex, String input) {
        assertFalse(RegexLiterals.of(regex).admits(input));
        assertFalse(Pattern.compile("^(?:" + regex + ")$").matcher(input).find());
    }

    @Property(tries = 5000)
    void neverTurnsAwayAMatchAndDecidesAWholeLiteral(@ForAll("regexes") String regex, @ForAll("inputs") String input) {
        boolean matched = Pattern.compile("^(?:" + regex + ")$").matcher(input).find();
        RegexLiterals literals = RegexLiterals.of(regex);
        Statistics.label("matched").collect(matched);
        Statistics.label("turned away").collect(!literals.admits(input));
        if (matched) {
            assertTrue(literals.admits(input), regex + " (" + literals + ") turned away " + input);
        }
        if (literals.whole()) {
            assertEquals(matched, literals.admits(input), regex);
        }
        Statistics.label("matched").coverage(c -> c.check(true).percentage(p -> p > 2));
        Statistics.label("turned away").coverage(c -> c.check(true).percentage(p -> p > 20));
    }

    @Provide
    Arbitrary<String> regexes() {
        return Arbitraries.of("a", "b", "ab", ";", "_", "é", "🚀", "x", ".*", ".", "+", "?", "*", "*?", "{2}",
                "{0,1}", "{1,}", "(", ")", "(?:", "(a|b)", "|", "[0-9]", "[^a]", "[]a]", "\\d", "\\b", "\\.",
                "\\;", "\\Q.\\E", "\\141", "(?i)", "(?s)", "^", "$").list().ofMinSize(1).ofMaxSize(7)
                .map(pieces -> String.join("", pieces))
                .filter(RegexLiteralsTest::compiles);
    }

    @Provide
    Arbitrary<String> inputs() {
        return Arbitraries.of("a", "b", "ab", ";", "_", "é", "🚀", "x", ".", "1", "A", "\n").list().ofMaxSize(7)
                .map(pieces -> String.join("", pieces));
    }

    private static boolean compiles(String regex) {
        try {
            Pattern.compile(regex);
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
