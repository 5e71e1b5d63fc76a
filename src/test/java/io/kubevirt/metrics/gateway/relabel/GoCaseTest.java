package io.kubevirt.metrics.gateway.relabel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's strings.ToLower and ToUpper results (Go 1.19, Unicode 13), where Java's String methods differ. */
class GoCaseTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "sharp s has no simple uppercase | straße | straße | STRAßE",
        "dotted capital I lowers to plain i | İstanbul | istanbul | İSTANBUL",
        "final sigma lowers to sigma, not to ς | ΟΔΥΣΣΕΥΣ | οδυσσευσ | ΟΔΥΣΣΕΥΣ",
        "ligature fi has no simple uppercase | ﬁle | ﬁle | ﬁLE",
        "titlecase digraph | ǅemal | ǆemal | ǄEMAL",
        "Kelvin sign lowers to k | 5K | 5k | 5K",
        "micro sign uppers to Greek mu | µs | µs | ΜS",
        "long s uppers to S | ſ | ſ | S",
        "Armenian ligature has no simple uppercase | և | և | և",
        "outside the BMP | 𐐀𐐨 | 𐐨𐐨 | 𐐀𐐀",
        "CJK and emoji unchanged | 虚拟机🚀 | 虚拟机🚀 | 虚拟机🚀",
    })
    void mapsEachCodePointOnItsOwn(String what, String value, String lower, String upper) {
        assertEquals(lower, GoCase.toLower(value), what);
        assertEquals(upper, GoCase.toUpper(value), what);
    }
}
