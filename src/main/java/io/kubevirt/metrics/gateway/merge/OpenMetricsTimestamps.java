package io.kubevirt.metrics.gateway.merge;

/**
 * Sample timestamps as OpenMetrics writes them: seconds, where the merge holds Prometheus'
 * milliseconds. Prometheus reads them back as {@code int64(seconds * 1000)}, truncating a float
 * product, so {@code 1712653214.771} may come back as ...770. The exact decimal is written when it
 * comes back exactly; otherwise half a millisecond further from zero, which always does.
 */
final class OpenMetricsTimestamps {
    private OpenMetricsTimestamps() {
    }

    static void write(long millis, ByteSink out) {
        String exact = seconds(millis, false);
        out.write(readBack(exact) == millis ? exact : seconds(millis, true));
    }

    /** What Prometheus makes of an OpenMetrics timestamp: Java's double parsing rounds as Go's does. */
    static long readBack(String seconds) {
        return (long) (Double.parseDouble(seconds) * 1000);
    }

    private static String seconds(long millis, boolean half) {
        long abs = Math.abs(millis); // Timestamps are far from Long.MIN_VALUE.
        StringBuilder s = new StringBuilder(24);
        if (millis < 0) {
            s.append('-');
        }
        s.append(abs / 1000).append('.');
        long fraction = abs % 1000;
        if (fraction < 100) {
            s.append('0');
        }
        if (fraction < 10) {
            s.append('0');
        }
        s.append(fraction);
        if (half) {
            s.append('5');
        }
        return s.toString();
    }
}
