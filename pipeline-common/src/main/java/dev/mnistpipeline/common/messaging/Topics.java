package dev.mnistpipeline.common.messaging;

import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.EvaluationCompleted;
import dev.mnistpipeline.common.events.EventTypes;
import dev.mnistpipeline.common.events.InferenceRequested;
import dev.mnistpipeline.common.events.InferenceResult;
import dev.mnistpipeline.common.events.ModelPromoted;
import dev.mnistpipeline.common.events.ModelRejected;
import dev.mnistpipeline.common.events.RolloutChanged;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.events.PipelineEvent;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.events.TrainingRequested;

import java.util.List;
import java.util.Map;

/**
 * The one place that names the pipeline's Kafka topics and the SmallRye channels bound to them.
 *
 * <p>Topic names equal the CloudEvents type they carry. Channel names use dashes because channel config keys
 * cannot contain dots; each service's {@code application.properties} binds its channels to these topics and their
 * dead-letter topics ({@code TopicBindingTest} checks that they agree).
 */
public final class Topics {
    public static final String SAMPLES_SUBMITTED = EventTypes.SAMPLE_SUBMITTED;
    public static final String DATASET_INGESTED = EventTypes.DATASET_INGESTED;
    public static final String DATASET_PREPARED = EventTypes.DATASET_PREPARED;
    public static final String TRAINING_REQUESTED = EventTypes.TRAINING_REQUESTED;
    public static final String TRAINING_METRICS = EventTypes.TRAINING_METRICS;
    public static final String MODEL_TRAINED = EventTypes.MODEL_TRAINED;
    public static final String EVALUATION_COMPLETED = EventTypes.EVALUATION_COMPLETED;
    public static final String MODEL_PROMOTED = EventTypes.MODEL_PROMOTED;
    public static final String MODEL_REJECTED = EventTypes.MODEL_REJECTED;
    public static final String MODEL_ROLLOUT = EventTypes.MODEL_ROLLOUT;
    public static final String INFERENCE_REQUESTS = EventTypes.INFERENCE_REQUESTED;
    public static final String INFERENCE_RESULTS = EventTypes.INFERENCE_RESULT;

    /** Every event topic, in flow order. */
    public static final List<String> ALL = List.of(SAMPLES_SUBMITTED, DATASET_INGESTED, DATASET_PREPARED,
            TRAINING_REQUESTED, TRAINING_METRICS, MODEL_TRAINED, EVALUATION_COMPLETED, MODEL_PROMOTED, MODEL_REJECTED,
            MODEL_ROLLOUT, INFERENCE_REQUESTS, INFERENCE_RESULTS);

    /** The event record each topic carries (the AsyncAPI document's payloads are made from these). */
    public static final Map<String, Class<? extends PipelineEvent>> EVENTS = Map.ofEntries(
            Map.entry(SAMPLES_SUBMITTED, SampleSubmitted.class),
            Map.entry(DATASET_INGESTED, DatasetIngested.class),
            Map.entry(DATASET_PREPARED, DatasetPrepared.class),
            Map.entry(TRAINING_REQUESTED, TrainingRequested.class),
            Map.entry(TRAINING_METRICS, TrainingMetrics.class),
            Map.entry(MODEL_TRAINED, ModelTrained.class),
            Map.entry(EVALUATION_COMPLETED, EvaluationCompleted.class),
            Map.entry(MODEL_PROMOTED, ModelPromoted.class),
            Map.entry(MODEL_REJECTED, ModelRejected.class),
            Map.entry(MODEL_ROLLOUT, RolloutChanged.class),
            Map.entry(INFERENCE_REQUESTS, InferenceRequested.class),
            Map.entry(INFERENCE_RESULTS, InferenceResult.class));

    /** Topics that some service consumes, and so have a dead-letter topic. */
    public static final List<String> CONSUMED = List.of(SAMPLES_SUBMITTED, DATASET_INGESTED, DATASET_PREPARED,
            TRAINING_REQUESTED, MODEL_TRAINED, INFERENCE_REQUESTS);

    /**
     * Topics the dashboard follows. Every evaluator instance reads them in its own consumer group from the start
     * (an observer, so no dead-letter topic): live curves, run list, evaluations and registry decisions.
     */
    public static final List<String> DASHBOARD_FEED = List.of(TRAINING_METRICS, EVALUATION_COMPLETED, MODEL_PROMOTED,
            MODEL_REJECTED, MODEL_ROLLOUT);

    /**
     * The largest record a publisher may send to each topic, in bytes: the topic's {@code max.message.bytes}, set
     * where topics are created (the embedded stack, deploy/'s KafkaTopics), so the broker refuses anything larger.
     * Samples and inference requests carry an image (a PNG of up to 4096 px a side fits in 1 MiB); every other
     * event carries references and a few numbers.
     */
    public static final Map<String, Integer> MAX_RECORD_BYTES = Map.ofEntries(
            Map.entry(SAMPLES_SUBMITTED, 1_048_576),
            Map.entry(INFERENCE_REQUESTS, 1_048_576),
            Map.entry(DATASET_INGESTED, 262_144),
            Map.entry(DATASET_PREPARED, 262_144),
            Map.entry(TRAINING_REQUESTED, 262_144),
            Map.entry(TRAINING_METRICS, 262_144),
            Map.entry(MODEL_TRAINED, 262_144),
            Map.entry(EVALUATION_COMPLETED, 1_048_576),
            Map.entry(MODEL_PROMOTED, 262_144),
            Map.entry(MODEL_REJECTED, 262_144),
            Map.entry(MODEL_ROLLOUT, 262_144),
            Map.entry(INFERENCE_RESULTS, 262_144));

    /**
     * Dead-letter records are cut to fit ({@link DeadLetterSerializer}): at most this much of the poison payload (the
     * rest is named by its SHA-256 and size), of its key, of each header, and this many headers. Together well under
     * {@link #DEAD_LETTER_MAX_RECORD_BYTES}, so a dead-letter write never fails for size.
     */
    public static final int DEAD_LETTER_PAYLOAD_BYTES = 65_536;
    public static final int DEAD_LETTER_KEY_BYTES = 1_024;
    public static final int DEAD_LETTER_HEADER_BYTES = 4_096;
    public static final int DEAD_LETTER_MAX_HEADERS = 32;
    public static final int DEAD_LETTER_MAX_RECORD_BYTES = 1_048_576;

    private Topics() {
    }

    /** {@code max.message.bytes} for a topic or dead-letter topic of the pipeline. */
    public static int maxRecordBytes(String topic) {
        if (topic.endsWith(".dlq")) {
            return DEAD_LETTER_MAX_RECORD_BYTES;
        }
        Integer limit = MAX_RECORD_BYTES.get(topic);
        if (limit == null) {
            throw new IllegalArgumentException("not a pipeline topic: " + topic);
        }
        return limit;
    }

    /** The dead-letter topic of a consumed topic; records there carry {@code dead-letter-reason} headers. */
    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }

    /** Channel names used in {@code @Incoming} / {@code @Channel}. */
    public static final class Channels {
        public static final String SAMPLES_SUBMITTED = "samples-submitted";
        /**
         * Ingest reads {@code samples.submitted} in batches and dead-letters single records of a batch itself, to
         * {@code samples.submitted.dlq} with the connector's headers: a nack would dead-letter the whole batch.
         */
        public static final String SAMPLES_DEAD_LETTERS = "samples-submitted-dead-letters";
        public static final String DATASET_INGESTED = "dataset-ingested";
        public static final String DATASET_PREPARED = "dataset-prepared";
        public static final String TRAINING_REQUESTED = "training-requested";
        /** The trainer both consumes and publishes training requests; a channel has one direction. */
        public static final String TRAINING_REQUESTED_OUT = "training-requested-out";
        public static final String TRAINING_METRICS = "training-metrics";
        public static final String MODEL_TRAINED = "model-trained";
        public static final String EVALUATION_COMPLETED = "evaluation-completed";
        public static final String MODEL_PROMOTED = "model-promoted";
        public static final String MODEL_REJECTED = "model-rejected";
        public static final String MODEL_ROLLOUT = "model-rollout";
        public static final String INFERENCE_REQUESTS = "inference-requests";
        public static final String INFERENCE_RESULTS = "inference-results";
        /** The evaluator reads {@code samples.submitted} too, to score fresh labelled samples (live accuracy). */
        public static final String LIVE_SAMPLES = "live-samples";
        /** Bound to every topic of {@link Topics#DASHBOARD_FEED}. */
        public static final String DASHBOARD_FEED = "dashboard-feed";

        private Channels() {
        }
    }
}
