package io.kubevirt.metrics.gateway.relabel;

import io.kubevirt.metrics.gateway.parse.Escapes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/** A {@link LabelSet} over a sorted map that rules change in place. */
public final class MapLabels implements LabelSet {
    private final SortedMap<String, String> labels;
    /** The names in order, taken when first asked for after a change. */
    private List<String> names;

    /** Labels with an empty value are removed from {@code labels} first: they are not part of a label set. */
    public MapLabels(SortedMap<String, String> labels) {
        labels.values().removeIf(String::isEmpty);
        this.labels = labels;
    }

    @Override
    public void appendKey(String name, ValueKey key) {
        String value = labels.get(name);
        if (value != null) {
            key.append(Escapes.escapeLabelValue(value).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public String value(String name) {
        return labels.getOrDefault(name, "");
    }

    @Override
    public void set(String name, String value) {
        if (value.isEmpty()) {
            labels.remove(name);
        } else {
            labels.put(name, value);
        }
        names = null;
    }

    @Override
    public int nameSlots() {
        return names().size();
    }

    @Override
    public CharSequence name(int i) {
        return names().get(i);
    }

    private List<String> names() {
        if (names == null) {
            names = new ArrayList<>(labels.keySet());
        }
        return names;
    }

    @Override
    public long namesVersion() {
        return UNKNOWN_NAMES;
    }
}
