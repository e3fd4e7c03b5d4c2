package dev.mnistpipeline.trainer.messaging;

import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.TrainingRequested;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.trainer.domain.AcceptedRun;
import dev.mnistpipeline.trainer.domain.ContinuousTraining;
import dev.mnistpipeline.trainer.domain.ModelTrainer;
import dev.mnistpipeline.trainer.domain.RunLeases;
import dev.mnistpipeline.trainer.domain.TrainingRequests;
import dev.mnistpipeline.trainer.domain.WaitingRuns;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;


/** training.requested → accept → train (or park: another trainer holds the run, or its dataset is not prepared yet) → model.trained; dataset.prepared → continuous or auto training, if configured. */
@ApplicationScoped
public class TrainingConsumers {
    private final TrainingRequests requests;
    private final ModelTrainer trainer;
    private final ContinuousTraining continuousTraining;
    private final WaitingRuns waitingRuns;

    public TrainingConsumers(TrainingRequests requests, ModelTrainer trainer, ContinuousTraining continuousTraining,
                             WaitingRuns waitingRuns) {
        this.requests = requests;
        this.waitingRuns = waitingRuns;
        this.trainer = trainer;
        this.continuousTraining = continuousTraining;
    }

    // The message stays unacknowledged while the run trains: a crash means redelivery, not a lost run.
    @Incoming(Topics.Channels.TRAINING_REQUESTED)
    @Blocking
    @WaitsOutOutages
    public void onTrainingRequested(String payload) {
        TrainingRequested request = Events.parse(payload, TrainingRequested.class);
        AcceptedRun run;
        try {
            run = requests.receive(request);
        } catch (TrainingRequests.NotPreparedYet e) {
            waitingRuns.park(request, e.getMessage()); // its dataset may be on its way; the runs behind it go ahead
            return;
        }
        try {
            trainer.train(run);
        } catch (RunLeases.HeldElsewhere e) {
            waitingRuns.park(run, e.getMessage()); // the runs behind it go ahead
        }
    }

    @Incoming(Topics.Channels.DATASET_PREPARED)
    @Blocking
    @WaitsOutOutages
    public void onDatasetPrepared(String payload) {
        continuousTraining.onDatasetPrepared(Events.parse(payload, DatasetPrepared.class));
    }
}
