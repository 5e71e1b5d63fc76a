package io.kubevirt.metrics.gateway.discovery;

/** Label and address helpers, as Prometheus' discovery has them. */
public final class LabelNames {
    private LabelNames() {
    }

    /**
     * Prometheus' {@code strutil.SanitizeLabelName}: every character outside
     * {@code [a-zA-Z0-9_]} becomes an underscore ({@code kubevirt.io} → {@code kubevirt_io}).
     */
    static String sanitize(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            out.append(ok ? c : '_');
        }
        return out.toString();
    }

    /** Go's {@code net.JoinHostPort}: IPv6 addresses in brackets. */
    public static String joinHostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
