package io.kubevirt.metrics.gateway.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The Grafana dashboard under kubernetes/base/dashboards and the PromQL in it. */
public final class Dashboard {
    public static final Path FILE = Kustomize.KUBERNETES.resolve("base/dashboards/kubevirt-metrics-gateway.json");

    private Dashboard() {
    }

    /** Every {@code expr} of every panel target. */
    public static List<String> expressions(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    public static List<String> expressions() throws IOException {
        return expressions(new ObjectMapper().readTree(FILE.toFile()));
    }
}
