package dev.mnistpipeline.cli.samples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.ProgressBar;
import dev.mnistpipeline.stack.client.StackClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Watches a named dataset grow as published samples land in new versions (through the ingest service's REST API). */
public final class DatasetGrowth {
    private final StackClient client;
    private final String dataset;

    /** How far it grew: training images added, the versions that added them, and the newest. */
    public record Landed(int landed, List<String> versions, String latest, int trainCount) {
    }

    public DatasetGrowth(StackClient client, String dataset) {
        this.client = client;
        this.dataset = dataset;
    }

    /** The newest version of the dataset, if it has one. */
    public Optional<JsonNode> latestVersion() {
        List<JsonNode> versions = new ArrayList<>();
        client.get(StackClient.INGEST, "/datasets").forEach(d -> {
            if (dataset.equals(d.path("name").asText())) {
                versions.add(d);
            }
        });
        return versions.stream().max(Comparator.comparing((JsonNode d) -> d.path("createdAt").asText()));
    }

    /**
     * Polls until {@code sent} samples landed after {@code before}, nothing new came for {@code settle}, or
     * {@code timeout} is up.
     */
    public Landed await(JsonNode before, int sent, Duration timeout, Duration settle, ProgressBar progress) throws InterruptedException {
        int baseCount = before.path("trainCount").asInt();
        JsonNode latest = before;
        long start = System.nanoTime(), deadline = start + timeout.toNanos(), lastChange = start;
        while (true) {
            Optional<JsonNode> now = latestVersion();
            if (now.isPresent() && !now.get().path("datasetId").asText().equals(latest.path("datasetId").asText())) {
                latest = now.get();
                lastChange = System.nanoTime();
            }
            int landed = latest.path("trainCount").asInt() - baseCount;
            progress.show("landing", Math.min(landed, sent), sent, start);
            long t = System.nanoTime();
            if (landed >= sent || t > deadline || t - lastChange > settle.toNanos()) {
                progress.done();
                return new Landed(landed, versionsSince(before, latest), latest.path("datasetId").asText(),
                        latest.path("trainCount").asInt());
            }
            Thread.sleep(1000);
        }
    }

    /** The versions between {@code before} (excluded) and {@code latest}, oldest first. */
    private List<String> versionsSince(JsonNode before, JsonNode latest) {
        Map<String, String> parents = new LinkedHashMap<>();
        client.get(StackClient.INGEST, "/datasets").forEach(d -> parents.put(d.path("datasetId").asText(), d.path("parentId").asText(null)));
        List<String> chain = new ArrayList<>();
        for (String id = latest.path("datasetId").asText(); id != null && !id.equals(before.path("datasetId").asText()); id = parents.get(id)) {
            chain.add(0, id);
        }
        return chain;
    }
}
