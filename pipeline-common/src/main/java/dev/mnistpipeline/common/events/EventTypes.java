package dev.mnistpipeline.common.events;

/** CloudEvents types. Each type travels on the topic of the same name (see {@code Topics}). */
public final class EventTypes {
    public static final String SAMPLE_SUBMITTED = "samples.submitted";
    public static final String DATASET_INGESTED = "dataset.ingested";
    public static final String DATASET_PREPARED = "dataset.prepared";
    public static final String TRAINING_REQUESTED = "training.requested";
    public static final String TRAINING_METRICS = "training.metrics";
    public static final String MODEL_TRAINED = "model.trained";
    public static final String EVALUATION_COMPLETED = "evaluation.completed";
    public static final String MODEL_PROMOTED = "model.promoted";
    public static final String MODEL_REJECTED = "model.rejected";
    public static final String MODEL_ROLLOUT = "model.rollout";
    public static final String INFERENCE_REQUESTED = "inference.requests";
    public static final String INFERENCE_RESULT = "inference.results";

    private EventTypes() {
    }
}
