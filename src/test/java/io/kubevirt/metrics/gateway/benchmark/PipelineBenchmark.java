package io.kubevirt.metrics.gateway.benchmark;

import io.kubevirt.metrics.gateway.merge.ByteSink;
import io.kubevirt.metrics.gateway.merge.IndexSpares;
import io.kubevirt.metrics.gateway.merge.MergedExposition;
import io.kubevirt.metrics.gateway.merge.Merger;
import io.kubevirt.metrics.gateway.merge.SeriesLabeling;
import io.kubevirt.metrics.gateway.merge.TargetExposition;
import io.kubevirt.metrics.gateway.merge.TargetExpositionReader;
import io.kubevirt.metrics.gateway.merge.TargetLabels;
import io.kubevirt.metrics.gateway.parse.ExpositionFormat;
import io.kubevirt.metrics.gateway.relabel.RelabelConfig;
import io.kubevirt.metrics.gateway.relabel.RelabelRules;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The gateway's hot path on one core: read (parse, label, group) four virt-handler bodies, merge
 * them and write the answer in chunks, as the gateway sends it, each read filling the index arrays
 * of the one before as in the gateway's gathers. One operation is all of that for the four bodies
 * (about 101k series): multiply the score by the series for series per second.
 * Run with {@code ./mvnw -B -Pbenchmark verify}; see benchmarks/README.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 10, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class PipelineBenchmark {
    static final int TARGETS = 4;

    /** Copies of the sample's per-VM series per node: 132 gives 4 targets of about 25,400 series. */
    @Param({"132"})
    int copies;

    private final List<byte[]> bodies = new ArrayList<>();
    private final List<SeriesLabeling> plain = new ArrayList<>();
    private final List<SeriesLabeling> relabeled = new ArrayList<>();
    private final List<SeriesLabeling> untouched = new ArrayList<>();
    private final List<SeriesLabeling> oneRule = new ArrayList<>();
    private int series;
    private static final int CHUNK = 256 * 1024;
    private final ByteSink chunk = new ByteSink(CHUNK + CHUNK / 16);
    private final IndexSpares indexSpares = new IndexSpares();
    private final int[] lastSamples = new int[TARGETS];

    /** Ten typical metric_relabel_configs; some change every series (the pod rule), some a few, some drop. */
    static final String TEN_RULES = """
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: go_.*|process_.*
                action: drop
              - source_labels: [__name__]
                regex: kubevirt_vmi_vcpu_delay_seconds_total
                action: drop
              - regex: kubernetes_vmi_label_kubevirt_io_size
                action: labeldrop
              - source_labels: [namespace]
                regex: ci
                target_label: tier
                replacement: test
              - source_labels: [node]
                target_label: node
                action: lowercase
              - source_labels: [__name__, name]
                regex: kubevirt_vmi_memory_.*;(rhel9.*)
                target_label: database
                replacement: $1
              - source_labels: [pod]
                regex: virt-handler-(.*)
                target_label: handler
              - source_labels: [__name__]
                regex: rest_client_(.*)
                target_label: __name__
                replacement: kubevirt_rest_client_$1
              - regex: kubernetes_vmi_label_(vm_kubevirt_io_template)
                replacement: template
                action: labelmap
              - source_labels: [name]
                regex: ubuntu-ci-03-1[0-9][0-9]
                action: drop
            """;

    /** The one rule every series is changed by: the cost of writing a changed series. */
    static final String ONE_RULE = """
            metric_relabel_configs:
              - source_labels: [pod]
                regex: virt-handler-(.*)
                target_label: handler
            """;

    /** Ten rules of the same kinds that match none of the series: the fast path of metric relabeling. */
    static final String TEN_RULES_MATCHING_NOTHING = """
            metric_relabel_configs:
              - source_labels: [__name__]
                regex: go_gc_.*|node_.*
                action: drop
              - source_labels: [__name__]
                regex: kubevirt_vmi_vcpu_delay_seconds
                action: drop
              - regex: kubernetes_vmi_label_kubevirt_io_flavor
                action: labeldrop
              - source_labels: [namespace]
                regex: staging
                target_label: tier
                replacement: test
              - source_labels: [job]
                target_label: job
                action: lowercase
              - source_labels: [__name__, name]
                regex: kubevirt_vmi_memory_.*;(oracle.*)
                target_label: database
                replacement: $1
              - source_labels: [pod]
                regex: virt-api-(.*)
                target_label: api
              - source_labels: [__name__]
                regex: kubevirt_rest_client_(.*)
                target_label: __name__
                replacement: rest_client_$1
              - regex: kubernetes_vmi_label_(vm_kubevirt_io_flavor)
                replacement: flavor
                action: labelmap
              - source_labels: [name]
                regex: ubuntu-ci-03-1[0-9][0-9][0-9]
                action: drop
            """;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Arrays.fill(lastSamples, -1);
        RelabelRules rules = rules(TEN_RULES);
        RelabelRules matchingNothing = rules(TEN_RULES_MATCHING_NOTHING);
        RelabelRules changingEverySeries = rules(ONE_RULE);
        for (int i = 0; i < TARGETS; i++) {
            byte[] body = ScaledVirtHandler.body(copies, "worker-" + i);
            bodies.add(body);
            series += ScaledVirtHandler.series(body);
            TargetLabels labels = TargetLabels.of(Map.of("namespace", "kubevirt", "pod", "virt-handler-" + i,
                    "container", "virt-handler", "endpoint", "metrics", "service", "kubevirt-prometheus-metrics",
                    "job", "kubevirt-prometheus-metrics", "instance", "10.244.0." + i + ":8443", "kubevirt_io",
                    "virt-handler"));
            plain.add(new SeriesLabeling(labels, true, RelabelRules.NONE));
            relabeled.add(new SeriesLabeling(labels, true, rules));
            untouched.add(new SeriesLabeling(labels, true, matchingNothing));
            oneRule.add(new SeriesLabeling(labels, true, changingEverySeries));
        }
        System.out.printf("%n%d targets, %d series, %d bytes%n", TARGETS, series,
                bodies.stream().mapToInt(b -> b.length).sum());
    }

    /** Parse, label, merge and write, without metric relabel rules. */
    @Benchmark
    public int parseMergeWrite() throws Exception {
        return run(plain);
    }

    /** The same with ten metric relabel rules that leave every series alone. */
    @Benchmark
    public int parseUntouchedByRulesMergeWrite() throws Exception {
        return run(untouched);
    }

    /** The same with one metric relabel rule that adds a label to every series. */
    @Benchmark
    public int parseOneRuleMergeWrite() throws Exception {
        return run(oneRule);
    }

    /** The same with ten metric relabel rules. */
    @Benchmark
    public int parseRelabelMergeWrite() throws Exception {
        return run(relabeled);
    }

    private static RelabelRules rules(String yaml) throws Exception {
        return RelabelConfig.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "benchmark")
                .metricRules();
    }

    private int run(List<SeriesLabeling> labelings) throws Exception {
        List<Merger.Source> sources = new ArrayList<>(TARGETS);
        for (int i = 0; i < TARGETS; i++) {
            byte[] body = bodies.get(i);
            TargetExposition exposition = TargetExpositionReader.read(body, body.length, ExpositionFormat.TEXT,
                    labelings.get(i), lastSamples[i], indexSpares.take(i));
            lastSamples[i] = exposition.sampleCount();
            sources.add(new Merger.Source("target" + i, exposition));
        }
        // As the gateway answers: 256 KB chunks, each written when the last was sent (here: dropped).
        MergedExposition.Writer writer = Merger.merge(sources).writer(ExpositionFormat.TEXT);
        int written = 0;
        boolean more = true;
        while (more) {
            chunk.truncate(0);
            more = writer.fill(chunk, CHUNK);
            written += chunk.size();
        }
        for (int i = 0; i < TARGETS; i++) { // As the gateway does once an answer is sent.
            indexSpares.recycle(i, sources.get(i).exposition());
        }
        return written;
    }
}
