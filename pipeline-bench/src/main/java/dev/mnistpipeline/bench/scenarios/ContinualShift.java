package dev.mnistpipeline.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.bench.support.ModelAccuracy;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.ShiftedDomain;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.LocalInfrastructure;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Continuous training on a shifted domain, through the pipeline's own path: after the demo's run, 1,000 MNIST training
 * digits under a strong affine distortion ({@link ShiftedDomain}) are published to {@code samples.submitted} as a user
 * would; ingest makes a child version, preprocess prepares it, continuous training fine-tunes the champion on it, the
 * evaluator scores the new model and the gate decides. Both models, the champion before and the fine-tuned one, are
 * then scored on 2,000 held-out shifted digits (made from MNIST test images) and on the MNIST test set. The gate
 * judges with the held-out digits registered as a gate suite ({@code PUT /gate/suites/shifted}): the shifted domain
 * must gain {@link ShiftedDomain#SUITE_MIN_GAIN}, MNIST may lose at most {@link ShiftedDomain#SUITE_MAX_PRIMARY_DROP}.
 */
public final class ContinualShift implements Scenario {
    static final Duration STAGE = ShiftedDomain.STAGE;

    @Override
    public String name() {
        return "continual-shift";
    }

    @Override
    public String summary() {
        return "1,000 shifted digits published as samples; continuous training fine-tunes the champion; both scored on "
                + "2,000 held-out shifted digits and the MNIST test set; the gate's decision";
    }

    @Override
    public Map<String, Map<String, String>> serviceEnv() {
        return ShiftedDomain.continuousTraining(ShiftedDomain.SHIFTED_TRAIN, "60s");
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext run) throws Exception {
        if (!run.result().decision().promoted()) {
            throw new IllegalStateException("the demo's model was not promoted, so there is no champion to fine-tune");
        }
        String before = run.result().model().modelId();
        ShiftedDomain d = ShiftedDomain.load();
        LocalInfrastructure infra = run.infra();
        EventStream events = run.events();
        Map<String, Object> result = new LinkedHashMap<>();
        try (ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(), StorageConfig.DEFAULT_BUCKET))) {
            JsonNode suite = d.registerGateSuite(layout, run);
            double shiftBefore = ModelAccuracy.of(store, before, d.heldOut, d.heldOutLabels);
            double mnistBefore = ModelAccuracy.of(store, before, d.test, d.testLabels);
            System.out.printf("continual-shift: champion %s: shifted %.4f, MNIST %.4f; publishing %d shifted samples ...%n",
                    before, shiftBefore, mnistBefore, ShiftedDomain.SHIFTED_TRAIN);

            long published = System.nanoTime();
            ShiftedDomain.publish(infra, "shifted-", d.shiftedTrain, d.shiftedTrainLabels, 0, ShiftedDomain.SHIFTED_TRAIN);
            String parent = run.result().datasetId();
            String child = events.await(Topics.DATASET_INGESTED, e -> parent.equals(Json.tree(e.value()).path("parentId").asText()), STAGE).key();
            String preparedId = Json.tree(events.await(Topics.DATASET_PREPARED, e -> child.equals(e.key()), STAGE).value()).path("preparedId").asText();
            JsonNode trained = Json.tree(events.await(Topics.MODEL_TRAINED,
                    e -> preparedId.equals(Json.tree(e.value()).path("preparedId").asText()), STAGE).value());
            String after = trained.path("modelId").asText();
            EventStream.Event decision = events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED), e -> after.equals(e.key()), STAGE);
            double publishedToDecision = (System.nanoTime() - published) / 1e9;
            double shiftAfter = ModelAccuracy.of(store, after, d.heldOut, d.heldOutLabels);
            double mnistAfter = ModelAccuracy.of(store, after, d.test, d.testLabels);
            boolean promoted = decision.topic().equals(Topics.MODEL_PROMOTED);
            System.out.printf("continual-shift: fine-tuned %s: shifted %.4f, MNIST %.4f; %s%n", after, shiftAfter, mnistAfter,
                    promoted ? "promoted" : "rejected");

            result.put("shift_accuracy_before", round(shiftBefore));
            result.put("shift_accuracy_after", round(shiftAfter));
            result.put("shift_gain_pp", round(100 * (shiftAfter - shiftBefore)));
            result.put("mnist_accuracy_before", round(mnistBefore));
            result.put("mnist_accuracy_after", round(mnistAfter));
            result.put("mnist_drop_pp", round(100 * (mnistBefore - mnistAfter)));
            result.put("promoted", promoted);
            result.put("gate_reasons", Json.tree(decision.value()).path("decision").path("reasons"));
            result.put("published_to_decision_s", round(publishedToDecision));
            result.put("fine_tuning_train_s", round(trained.path("trainSeconds").asDouble()));
            result.put("gate_suite", suite);
            result.put("champion_before", before);
            result.put("fine_tuned", after);
            result.put("child_dataset", child);
            result.put("fine_tuning", Json.tree(ShiftedDomain.FINE_TUNING));
            result.put("shift", "rotation ±30–60°, horizontal shear ±0.2–0.4; train from MNIST train 0–999, held out from MNIST test 0–1999");
            result.put("targets", "shift gain >= 15 pp; MNIST drop <= 0.3 pp; the gate's decision consistent with both");
        }
        return result;
    }
}
