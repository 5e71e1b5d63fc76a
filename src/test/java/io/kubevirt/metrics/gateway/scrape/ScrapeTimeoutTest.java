package io.kubevirt.metrics.gateway.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubevirt.metrics.gateway.testing.TestConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScrapeTimeoutTest {

    @ParameterizedTest(name = "header {0} gives {1}")
    @CsvSource(nullValues = "none", value = {
        "10, PT9.5S",
        "2.5, PT2S",
        "0.55, PT0.1S",
        "0, PT10S",
        "-3, PT10S",
        "soon, PT10S",
        "NaN, PT10S",
        "none, PT10S",
    })
    void prometheusTimeoutMinusTheMarginElseTheConfiguredOne(String header, Duration expected) {
        assertEquals(expected, ScrapeTimeout.of(header, TestConfig.of(Map.of()).scrape()));
    }
}
