package io.kubevirt.metrics.gateway.merge;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How target labels join a scraped series' labels, as Prometheus' {@code mutateSampleLabels}:
 * with honor_labels the scraped label wins; without, the target label wins and the scraped one is
 * kept as {@code exported_<name>} (prefixed again while that name is taken).
 */
final class LabelConflicts {
    static final String EXPORTED_PREFIX = "exported_";

    private LabelConflicts() {
    }

    /** honor_labels: true. Adds the target labels the series does not have to the series' own map. */
    static void attachHonoring(TreeMap<String, String> series, TargetLabels target) {
        target.asMap().forEach(series::putIfAbsent);
    }

    /** honor_labels: false. The series' labels (with {@code __name__}) joined with the target labels. */
    static TreeMap<String, String> attachNotHonoring(Map<String, String> series, TargetLabels target) {
        TreeMap<String, String> result = new TreeMap<>(series);
        Map<String, String> targetMap = target.asMap();
        List<Map.Entry<String, String>> conflicts = new ArrayList<>();
        targetMap.forEach((name, value) -> {
            String exposed = series.get(name);
            if (exposed != null && !exposed.isEmpty()) {
                conflicts.add(Map.entry(name, exposed));
            }
            result.put(name, value);
        });
        conflicts.sort(Comparator.comparingInt(e -> e.getKey().length())); // Stable, as Prometheus sorts.
        List<String> assigned = new ArrayList<>();
        for (Map.Entry<String, String> conflict : conflicts) {
            String name = conflict.getKey();
            do {
                name = EXPORTED_PREFIX + name;
            } while (series.containsKey(name) || targetMap.containsKey(name) || assigned.contains(name));
            assigned.add(name);
        }
        for (int i = 0; i < conflicts.size(); i++) {
            result.put(assigned.get(i), conflicts.get(i).getValue());
        }
        return result;
    }
}
