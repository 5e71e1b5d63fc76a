package io.kubevirt.metrics.gateway.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One element of a comma-separated HTTP header list, such as {@code text/plain;version=0.0.4;q=0.5}
 * in Accept or {@code gzip;q=0} in Accept-Encoding: its value and its parameters, names and the
 * value lower-cased, all trimmed. Content negotiation of both headers reads them through this.
 */
public record HeaderElement(String value, Map<String, String> parameters) {

    /** The elements of a header; none for a missing header. */
    public static List<HeaderElement> list(String header) {
        List<HeaderElement> elements = new ArrayList<>();
        if (header == null) {
            return elements;
        }
        for (String element : header.split(",")) {
            String[] parts = element.split(";");
            Map<String, String> parameters = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] parameter = parts[i].split("=", 2);
                parameters.put(parameter[0].trim().toLowerCase(Locale.ROOT),
                        parameter.length > 1 ? parameter[1].trim() : "");
            }
            elements.add(new HeaderElement(parts[0].trim().toLowerCase(Locale.ROOT), parameters));
        }
        return elements;
    }
}
