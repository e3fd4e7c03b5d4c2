package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.registry.ChampionView;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.mnistpipeline.common.events.TrainingRequested;

import java.util.List;
import java.util.Set;
import java.util.Optional;

/**
 * What a new prepared dataset trains. With {@code pipeline.trainer.continuous.enabled} and a champion: a
 * fine-tuning of the champion on the new data (its architecture and activation, starting from its weights, the
 * configured settings for everything else). Otherwise, with {@code pipeline.trainer.auto-train.enabled}, a run
 * from scratch with {@code pipeline.trainer.auto-train.hyperparameters}. Both configs are read and checked at
 * startup: a misconfigured trainer refuses to start instead of dropping a setting.
 */
@ApplicationScoped
public class ContinuousTraining {
    private static final Logger LOG = Logger.getLogger(ContinuousTraining.class);

    private final TrainingRequests requests;
    private final ObjectStore store;
    private final ChampionView champion;
    private final boolean autoTrain;
    private final Hyperparameters autoTrainHyperparameters;
    private final boolean continuous;
    private final Hyperparameters continuousHyperparameters;

    public ContinuousTraining(TrainingRequests requests, ObjectStore store,
                              @ConfigProperty(name = "pipeline.trainer.auto-train.enabled", defaultValue = "false") boolean autoTrain,
                              @ConfigProperty(name = "pipeline.trainer.auto-train.hyperparameters", defaultValue = "{}") String autoTrainJson,
                              @ConfigProperty(name = "pipeline.trainer.continuous.enabled", defaultValue = "false") boolean continuous,
                              @ConfigProperty(name = "pipeline.trainer.continuous.hyperparameters", defaultValue = "{}") String continuousJson) {
        this.requests = requests;
        this.store = store;
        this.champion = new ChampionView(store);
        this.autoTrain = autoTrain;
        this.autoTrainHyperparameters = configured("pipeline.trainer.auto-train.hyperparameters", autoTrainJson, true);
        this.continuous = continuous;
        this.continuousHyperparameters = configured("pipeline.trainer.continuous.hyperparameters", continuousJson, false);
    }

    /**
     * Requests the run a new prepared dataset calls for, if any; idempotent per dataset and settings. Continuous
     * training fine-tunes a registered model's champion only on versions of its own dataset (the same test images,
     * as when samples are published): on any other dataset the gate could not compare the result with the champion.
     * The fine-tuned version joins the champion's name.
     */
    public Optional<AcceptedRun> onDatasetPrepared(DatasetPrepared prepared) {
        Optional<ModelManifest> base = Optional.empty();
        String name = null;
        for (String candidate : continuous ? champion.names() : Set.<String>of()) {
            base = champion.current(candidate)
                    .flatMap(c -> store.findJson(ObjectKeys.modelManifest(c.modelId()), ModelManifest.class))
                    .filter(c -> sameTestImages(c.preparedId(), prepared.preparedId()));
            if (base.isPresent()) {
                name = candidate;
                break;
            }
        }
        if (base.isEmpty() && !autoTrain) {
            return Optional.empty();
        }
        Hyperparameters hp = base.map(m -> fineTuning(continuousHyperparameters, m)).orElse(autoTrainHyperparameters);
        // Deterministic run id: a redelivered dataset.prepared requests the same run, which trains once.
        String runId = Sha256.shortId("auto", prepared.preparedId() + "|" + Json.write(hp));
        LOG.infof("%s %s on %s", base.isPresent() ? "Fine-tuning the champion of " + name + ", " + hp.baseModelId() + ", as" : "Auto-training",
                runId, prepared.preparedId());
        return Optional.of(requests.submit(new TrainingRequested(runId, prepared.preparedId(), prepared.manifestSha256(), hp, null, name),
                RunRecord.Origin.CONTINUOUS));
    }

    private boolean sameTestImages(String championPreparedId, String preparedId) {
        boolean same = testShards(championPreparedId).equals(testShards(preparedId));
        if (!same) {
            LOG.infof("%s has other test images than the champion's dataset (%s): no fine-tuning of the champion on it",
                    preparedId, championPreparedId);
        }
        return same;
    }

    private List<PreparedManifest.Shard> testShards(String preparedId) {
        return store.findJson(ObjectKeys.preparedManifest(preparedId), PreparedManifest.class)
                .map(p -> p.shards().stream().filter(s -> s.split().equals(PreparedManifest.TEST)).toList())
                .orElse(List.of());
    }

    /**
     * The continuous-training settings on top of the champion: its architecture, activation and width (its weights
     * only fit those), starting from it; every other configured setting is kept as configured.
     */
    public static Hyperparameters fineTuning(Hyperparameters configured, ModelManifest champion) {
        return TrainingRules.validate(configured.toBuilder()
                .architecture(champion.hyperparameters().architecture())
                .activation(champion.hyperparameters().activation())
                .secondConvFilters(champion.hyperparameters().secondConvFilters())
                .baseModelId(champion.modelId())
                .build());
    }

    /** Reads a config value; a complete one (auto-train) is validated now, a partial one (continuous) type-checked. */
    static Hyperparameters configured(String key, String json, boolean complete) {
        try {
            return complete ? TrainingRules.parse(Json.tree(json)) : TrainingRules.read(Json.tree(json));
        } catch (RuntimeException e) {
            throw new IllegalStateException(key + " is misconfigured: " + e.getMessage(), e);
        }
    }
}
