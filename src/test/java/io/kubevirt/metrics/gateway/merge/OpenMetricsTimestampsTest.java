package io.kubevirt.metrics.gateway.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OpenMetricsTimestampsTest {

    private static String written(long millis) {
        ByteSink out = new ByteSink(32);
        OpenMetricsTimestamps.write(millis, out);
        return out.toString();
    }

    @Test
    void writesTheExactDecimalWhenPrometheusReadsItBackExactly() {
        assertEquals("1712653214.771", written(1712653214771L));
        assertEquals("0.005", written(5));
        assertEquals("-1.250", written(-1250));
    }

    @Test
    void addsHalfAMillisecondWhereTheDecimalWouldComeBackOneShort() {
        // 1091979534.570 * 1000 is 1091979534569.9999 in float64, which Prometheus truncates.
        assertNotEquals(1091979534570L, OpenMetricsTimestamps.readBack("1091979534.570"));
        assertEquals("1091979534.5705", written(1091979534570L));
    }

    @Test
    void everyTimestampComesBackAsItsMilliseconds() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            long millis = random.nextLong(-4_000_000_000_000L, 4_000_000_000_000L);
            assertEquals(millis, OpenMetricsTimestamps.readBack(written(millis)), () -> "for " + millis);
        }
    }
}
