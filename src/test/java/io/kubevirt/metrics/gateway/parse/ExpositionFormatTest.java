package io.kubevirt.metrics.gateway.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExpositionFormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        // Prometheus 2.x by default, and with scrape_protocols of later versions.
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | OPENMETRICS",
        "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | OPENMETRICS",
        "application/openmetrics-text | OPENMETRICS",
        "Application/OpenMetrics-Text; Version=1.0.0 | OPENMETRICS",
        "text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5 | TEXT",
        "text/plain;version=0.0.4 | TEXT",
        "application/openmetrics-text;version=2.0.0,text/plain;q=0.5 | TEXT",
        "application/openmetrics-text;q=0 | TEXT",
        "application/openmetrics-text;q=nonsense | TEXT",
        "*/* | TEXT",
        "'' | TEXT",
        "NULL | TEXT",
    })
    void negotiatesLikeAPrometheusTarget(String accept, ExpositionFormat expected) {
        assertEquals(expected, ExpositionFormat.preferredBy(accept));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "application/openmetrics-text; version=1.0.0; charset=utf-8 | OPENMETRICS",
        "text/plain; version=0.0.4 | TEXT",
    })
    void readsTheFormatOfABody(String contentType, ExpositionFormat expected) {
        assertEquals(expected, ExpositionFormat.ofContentType(contentType));
        assertEquals(expected, ExpositionFormat.ofContentType(expected.contentType()));
    }
}
