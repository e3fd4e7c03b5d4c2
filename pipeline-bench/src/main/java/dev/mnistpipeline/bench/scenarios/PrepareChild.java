package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Incremental preparation: full MNIST is ingested and prepared, then {@value #CHILDREN} times 1,000 new samples are
 * published; each becomes a child version, and the time from its {@code dataset.ingested} to its
 * {@code dataset.prepared} is what a child costs (its parent's prepared parts are reused).
 */
public final class PrepareChild implements Scenario {
    static final int CHILDREN = 3;
    static final int SAMPLES = 1000;

    @Override
    public String name() {
        return "prepare-child";
    }

    @Override
    public String summary() {
        return "preparing a child version of full MNIST with 1,000 new samples, against the 70k parent";
    }

    @Override
    public Needs needs() {
        return Needs.OWN_STACK;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext ignored) throws Exception {
        Map<String, String> oneBatchPerChild = Map.of("PIPELINE_SAMPLES_BATCH_SIZE", Integer.toString(SAMPLES),
                "PIPELINE_SAMPLES_MAX_WAIT", "60s");
        try (DataStack data = new DataStack(layout, oneBatchPerChild).withMnist();
             KafkaProducer<String, String> producer = data.producer()) {
            byte[] pixels = Files.readAllBytes(Figures.mnistCache().resolve("t10k-images-idx3-ubyte"));
            byte[] labels = Idx.readLabels(Files.readAllBytes(Figures.mnistCache().resolve("t10k-labels-idx1-ubyte")), "test");
            byte[] images = Idx.readImages(pixels, "test").pixels();
            String parent = data.baseDatasetId();
            List<Double> childSeconds = new ArrayList<>();
            PreparedManifest last = null;
            for (int child = 0; child < CHILDREN; child++) {
                for (int i = child * SAMPLES; i < (child + 1) * SAMPLES; i++) {
                    producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "mnist", DataStack.sample("child-" + i,
                            labels[i], Arrays.copyOfRange(images, i * Idx.PIXELS, (i + 1) * Idx.PIXELS))));
                }
                producer.flush();
                String parentId = parent;
                String childId = data.events().await(Topics.DATASET_INGESTED,
                        e -> parentId.equals(Json.tree(e.value()).path("parentId").asText()), DataStack.STAGE_TIMEOUT).key();
                String manifestKey = Json.tree(data.events().await(Topics.DATASET_PREPARED, e -> childId.equals(e.key()),
                        DataStack.STAGE_TIMEOUT).value()).get("manifestKey").asText();
                childSeconds.add((data.arrival(Topics.DATASET_PREPARED, childId) - data.arrival(Topics.DATASET_INGESTED, childId)) / 1e9);
                last = data.store().getJson(manifestKey, PreparedManifest.class);
                parent = childId;
            }
            double[] sorted = childSeconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("prepare_child_s", round(Figures.percentile(sorted, 0.5)));
            result.put("prepare_child_each_s", childSeconds.stream().map(Figures::round).toList());
            result.put("prepare_full_s", round(data.prepareFullSeconds()));
            result.put("new_samples_per_child", SAMPLES);
            result.put("last_child_train_validation_test", List.of(last.trainCount(), last.validationCount(), last.testCount()));
            result.put("last_child_shards", last.shards().size());
            return result;
        }
    }
}
