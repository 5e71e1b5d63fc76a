package io.kubevirt.metrics.gateway.merge;

import io.kubevirt.metrics.gateway.parse.MetricType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The OpenMetrics families of a merge: the 0.0.4 families grouped as OpenMetrics declares them
 * ({@code x_total} and {@code x_created} of a counter {@code x}, a histogram's {@code _created}
 * with its buckets, an info's {@code x_info}).
 *
 * <p>The merge itself (which series are written) is decided on the 0.0.4 families, so both
 * formats carry the same series; this only decides the headers. A family whose own name is its
 * OpenMetrics name keeps it. A family that is part of another name joins that family when the
 * types agree; when another type holds the name already (a gauge {@code x} beside the counter
 * {@code x_total} of another target), it is declared under its own name instead: as an unknown
 * when it is a counter, since an OpenMetrics counter {@code x_total} would have to be written
 * {@code x_total_total}. Only when that name is taken as well (by {@code x_total_total}) is it
 * left out of OpenMetrics; it is logged.
 */
final class OpenMetricsFamilies {
    private static final Logger LOG = Logger.getLogger(OpenMetricsFamilies.class);

    /**
     * One family of the OpenMetrics output.
     *
     * @param unit the unit, only when the name ends with it as OpenMetrics requires
     * @param members its 0.0.4 families, in output order
     */
    record Group(String name, MetricType type, String unit, String help, List<MergedExposition.MergedFamily> members) {
    }

    private OpenMetricsFamilies() {
    }

    static List<Group> of(List<MergedExposition.MergedFamily> families) {
        Map<String, Builder> groups = new LinkedHashMap<>();
        for (int i = 0; i < families.size(); i++) {
            MergedExposition.MergedFamily family = families.get(i);
            if (family.openMetricsName.equals(family.name)) {
                groups.put(family.name, new Builder(family.name, family.openMetricsType, i, family));
            }
        }
        for (int i = 0; i < families.size(); i++) {
            MergedExposition.MergedFamily family = families.get(i);
            if (family.openMetricsName.equals(family.name)) {
                continue;
            }
            Builder group = groups.get(family.openMetricsName);
            if (group == null) {
                groups.put(family.openMetricsName, new Builder(family.openMetricsName, family.openMetricsType, i,
                        family));
            } else if (group.type == family.openMetricsType) {
                group.add(i, family);
            } else if (!groups.containsKey(family.name)) {
                MetricType own = family.type == MetricType.COUNTER ? MetricType.UNTYPED : family.type;
                groups.put(family.name, new Builder(family.name, own, i, family).withoutUnit());
            } else {
                LOG.debugf("left %s out of the OpenMetrics answer: the names %s and %s are both taken by"
                        + " families of other types", family.name, family.openMetricsName, family.name);
            }
        }
        return groups.values().stream().sorted(Comparator.comparingInt(b -> b.position)).map(Builder::build)
                .toList();
    }

    private static final class Builder {
        final String name;
        final MetricType type;
        int position;
        boolean unitAllowed = true;
        final List<Integer> positions = new ArrayList<>();
        final List<MergedExposition.MergedFamily> members = new ArrayList<>();

        Builder(String name, MetricType type, int position, MergedExposition.MergedFamily first) {
            this.name = name;
            this.type = type;
            this.position = position;
            add(position, first);
        }

        Builder withoutUnit() {
            unitAllowed = false;
            return this;
        }

        void add(int at, MergedExposition.MergedFamily member) {
            int k = 0;
            while (k < positions.size() && positions.get(k) < at) {
                k++;
            }
            positions.add(k, at);
            members.add(k, member);
            position = Math.min(position, at);
        }

        Group build() {
            String unit = null;
            String help = null;
            for (MergedExposition.MergedFamily member : members) {
                unit = unit != null ? unit : member.unit;
                help = help != null ? help : member.help;
            }
            boolean unitFits = unitAllowed && unit != null && !unit.isEmpty() && name.endsWith("_" + unit);
            return new Group(name, type, unitFits ? unit : null, help, List.copyOf(members));
        }
    }
}
