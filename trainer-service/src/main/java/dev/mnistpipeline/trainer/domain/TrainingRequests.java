package dev.mnistpipeline.trainer.domain;

import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.quarkus.Outlet;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a training request enters: it is checked once (run id, hyperparameters, the prepared dataset) and either
 * submitted to {@code training.requested} (REST, continuous training) or accepted off it for the trainer.
 */
@ApplicationScoped
public class TrainingRequests {
    private final ObjectStore store;
    private final EventOutlet trainingRequested;
    private final RunStates states;
    private final TrainingCosts costs;
    private final RunRecorder recorder;
    private final TrainingProgress progress;

    private final int maxEpochs;

    /** @param maxEpochs the most epochs one run may ask for: the cost cap an operator's request cannot exceed */
    public TrainingRequests(ObjectStore store, RunStates states, TrainingCosts costs, RunRecorder recorder,
                            TrainingProgress progress, @Outlet(Topics.Channels.TRAINING_REQUESTED_OUT) EventOutlet trainingRequested,
                            @ConfigProperty(name = "pipeline.trainer.max-epochs", defaultValue = "200") int maxEpochs) {
        this.store = store;
        this.states = states;
        this.costs = costs;
        this.recorder = recorder;
        this.progress = progress;
        this.maxEpochs = maxEpochs;
        this.trainingRequested = trainingRequested;
    }

    /**
     * Checks a request and puts it on {@code training.requested} with its prepared dataset resolved now (the
     * latest when {@code preparedId} is null); idempotent per run id. The run's record starts here, with who asked;
     * a refused request is recorded too, with why (unless its run id itself is what is wrong).
     *
     * @param request a {@code runId} of null gets a generated one
     */
    public AcceptedRun submit(TrainingRequested request, RunRecord.Origin origin) {
        TrainingRequested identified = new TrainingRequested(
                request.runId() != null ? request.runId() : "run-" + UUID.randomUUID().toString().substring(0, 8),
                request.preparedId(), request.preparedSha256(), request.hyperparameters(), Instant.now(), request.registeredModel());
        AcceptedRun run = acceptRecordingRefusal(identified, origin);
        recorder.accepted(run, origin);
        if (states.find(run.runId()).isEmpty()) {
            states.set(run.runId(), RunStates.QUEUED, null);
        }
        trainingRequested.publishOnce(run.request());
        return run;
    }

    /**
     * A request off {@code training.requested}, for this trainer to train: accepted, and given a record if it has none
     * yet (one published by hand); refused ones are recorded with why.
     */
    public AcceptedRun receive(TrainingRequested request) {
        AcceptedRun run = acceptRecordingRefusal(request, RunRecord.Origin.TOPIC);
        recorder.accepted(run, RunRecord.Origin.TOPIC);
        return run;
    }

    /** {@link #acceptAffordable}; a refusal of a request with a valid run id goes into that run's record. */
    public AcceptedRun acceptRecordingRefusal(TrainingRequested request, RunRecord.Origin origin) {
        try {
            return acceptAffordable(request);
        } catch (NotPreparedYet e) {
            throw e; // on the topic it waits for its dataset; over REST the caller is told, with nothing to record yet
        } catch (InvalidDataException e) {
            if (Ids.isRunId(request.runId())) {
                recorder.refused(request, origin, e.getMessage());
                progress.refused(request.runId(), e.getMessage());
            }
            throw e;
        }
    }

    /** {@link #accept}, and refused if this trainer cannot afford it ({@link TrainingCosts}): what the trainer trains. */
    public AcceptedRun acceptAffordable(TrainingRequested request) {
        return costs.check(accept(request));
    }

    /** Checks a request's ids, hyperparameters and prepared dataset (not yet its cost). */
    public AcceptedRun accept(TrainingRequested request) {
        request.checkIds();
        Hyperparameters hp = checkEpochs(TrainingRules.validate(request.hyperparameters()));
        String preparedId = request.preparedId() != null ? request.preparedId() : pinLatestPrepared(request.runId());
        String sha = request.preparedSha256() != null ? request.preparedSha256()
                : store.find(ObjectKeys.preparedManifest(preparedId)).map(Sha256::hex)
                .orElseThrow(() -> new NotPreparedYet("no prepared dataset " + preparedId + " (yet)"));
        return new AcceptedRun(request.runId(), preparedId, sha, hp, request.registeredModel());
    }

    /**
     * The request names a prepared dataset that does not exist (yet), or there is none at all. Over REST that is the
     * caller's to fix (400); a request on the topic waits for it instead ({@link WaitingRuns}): its dataset may be
     * being prepared right now.
     */
    public static final class NotPreparedYet extends InvalidDataException {
        NotPreparedYet(String message) {
            super(message);
        }
    }

    /** Refuses more epochs than {@code pipeline.trainer.max-epochs}: the cost cap no request can exceed. */
    public Hyperparameters checkEpochs(Hyperparameters hp) {
        if (hp.epochs() > maxEpochs) {
            throw new InvalidDataException("epochs " + hp.epochs() + " is more than pipeline.trainer.max-epochs (" + maxEpochs + ")");
        }
        return hp;
    }

    /**
     * The newest prepared dataset, resolved once per run: the first acceptance pins it (create-only write), and a
     * redelivered request, a resumed run or another replica gets the pinned one, even after {@code prepared/latest}
     * has moved on.
     */
    private String pinLatestPrepared(String runId) {
        String pin = ObjectKeys.runPreparedPin(runId);
        Optional<String> pinned = store.findText(pin);
        if (pinned.isPresent()) {
            return pinned.get();
        }
        String latest = store.findText(ObjectKeys.LATEST_PREPARED)
                .orElseThrow(() -> new NotPreparedYet("no prepared dataset yet; ingest one first")).trim();
        if (store.putIfUnchanged(pin, latest.getBytes(StandardCharsets.UTF_8), "text/plain", null)) {
            return latest;
        }
        return store.findText(pin).orElseThrow().trim();
    }
}
