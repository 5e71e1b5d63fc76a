package io.kubevirt.metrics.gateway.benchmark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The scale benchmark's plot: latency and peak memory against series, for the floor, the gateway and Prometheus. */
final class ScaleChart {
    private ScaleChart() {
    }

    static void write(List<ScaleBenchmark.Row> rows, Path file) throws Exception {
        double[] series = rows.stream().mapToDouble(ScaleBenchmark.Row::series).toArray();
        List<Chart.Line> latency = new ArrayList<>();
        List<Chart.Line> memory = new ArrayList<>();
        latency.add(new Chart.Line("floor", series, values(rows, ScaleBenchmark.Row::floor)));
        memory.add(new Chart.Line("bytes fetched", series, values(rows, ScaleBenchmark.Row::inputMb)));
        for (int a = 0; a < rows.get(0).gateways().size(); a++) {
            int artifact = a;
            String name = "gateway " + rows.get(0).gateways().get(a).artifact().name().toLowerCase(Locale.ROOT);
            latency.add(new Chart.Line(name + " (plain)", series, values(rows,
                    r -> r.gateways().get(artifact).plainP50())));
            latency.add(new Chart.Line(name + " (gzip)", series, values(rows,
                    r -> r.gateways().get(artifact).gzipP50())));
            memory.add(new Chart.Line(name, series, values(rows, r -> r.gateways().get(artifact).peakRss())));
        }
        latency.add(new Chart.Line("Prometheus /federate", series, values(rows, ScaleBenchmark.Row::federate)));
        memory.add(new Chart.Line("Prometheus", series, values(rows, ScaleBenchmark.Row::prometheusRss)));
        Chart.write(List.of(new Chart.Panel("latency, median (ms)", "series", true, latency),
                new Chart.Panel("peak resident memory (MB)", "series", true, memory)), file);
    }

    private static double[] values(List<ScaleBenchmark.Row> rows, ToDoubleFunction<ScaleBenchmark.Row> value) {
        return rows.stream().mapToDouble(value).toArray();
    }
}
