package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Limits before work: a run this trainer cannot afford is refused when it is requested (REST answers 400 with the
 * reason) or accepted off the topic (dead-lettered with it), not after it has loaded data or trained for an hour.
 * The prepared splits must fit in half the heap as float32 (the rest is for batches, the graph and the service), and
 * a run's test-accuracy checks ({@code accuracyCheckEverySteps}) are capped at {@code pipeline.trainer.max-accuracy-checks}.
 */
@ApplicationScoped
public class TrainingCosts {
    private final ObjectStore store;
    private final int maxAccuracyChecks;
    private final long heapBytes;

    @Inject
    public TrainingCosts(ObjectStore store,
                         @ConfigProperty(name = "pipeline.trainer.max-accuracy-checks", defaultValue = "1000") int maxAccuracyChecks) {
        this(store, maxAccuracyChecks, Runtime.getRuntime().maxMemory());
    }

    TrainingCosts(ObjectStore store, int maxAccuracyChecks, long heapBytes) {
        this.store = store;
        this.maxAccuracyChecks = maxAccuracyChecks;
        this.heapBytes = heapBytes;
    }

    /** Refuses an accepted run that this trainer cannot afford, with what to change. */
    public AcceptedRun check(AcceptedRun run) {
        PreparedManifest prepared = Json.read(store.getVerified(ObjectKeys.preparedManifest(run.preparedId()), run.preparedSha256()),
                PreparedManifest.class);
        check(run.hyperparameters(), prepared);
        return run;
    }

    void check(Hyperparameters hp, PreparedManifest prepared) {
        boolean checks = hp.accuracyCheckEverySteps() > 0;
        long examples = (long) prepared.trainCount() + prepared.validationCount() + (checks ? prepared.testCount() : 0);
        long needed = examples * Idx.PIXELS * Float.BYTES;
        if (needed > heapBytes / 2) {
            throw new InvalidDataException(String.format("%s needs %d MiB in memory (%d examples as float32) and this trainer's heap"
                            + " is %d MiB (at most half of it goes to data): give the trainer more memory or train on a smaller version",
                    prepared.preparedId(), needed >> 20, examples, heapBytes >> 20));
        }
        if (checks) {
            long steps = (long) hp.epochs() * ((prepared.trainCount() + hp.batchSize() - 1) / hp.batchSize());
            long count = steps / hp.accuracyCheckEverySteps();
            if (count > maxAccuracyChecks) {
                throw new InvalidDataException(String.format("accuracyCheckEverySteps %d makes %d test-accuracy checks of %d images"
                                + " in %d steps, more than pipeline.trainer.max-accuracy-checks (%d): check less often",
                        hp.accuracyCheckEverySteps(), count, prepared.testCount(), steps, maxAccuracyChecks));
            }
        }
    }
}
