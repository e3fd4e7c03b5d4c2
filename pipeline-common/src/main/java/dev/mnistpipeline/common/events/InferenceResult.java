package dev.mnistpipeline.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The answer to one {@link InferenceRequested}, exactly one per request id: the top classes by probability and the
 * model version that produced them, or an {@code error} with its {@code code} ({@link Codes}). Requests answered
 * {@code invalid_request} or {@code internal_error} also land on {@code inference.requests.dlq}.
 */
public record InferenceResult(String requestId, String modelId, List<Prediction> top,
                              String error, String code, Instant time) implements PipelineEvent {
    public record Prediction(int label, double probability) {
    }

    /** Why a request was answered with an error. */
    public static final class Codes {
        /** Not a valid request (no id, bad base64, wrong size, not an image, too large): fix it and send again. */
        public static final String INVALID_REQUEST = "invalid_request";
        /** The request named a registered model version or alias that does not exist. */
        public static final String UNKNOWN_MODEL = "unknown_model";
        /** No model has passed the promotion gate yet: send again once one has. */
        public static final String NO_CHAMPION = "no_champion";
        /** The evaluator was stopping: send again. */
        public static final String SHUTTING_DOWN = "shutting_down";
        /** No answer within {@code pipeline.predict.timeout}: send again. */
        public static final String TIMEOUT = "timeout";
        /** The model failed on this input; the service log has the details. */
        public static final String INTERNAL_ERROR = "internal_error";

        private Codes() {
        }
    }

    public static InferenceResult error(String requestId, String code, String reason) {
        return new InferenceResult(requestId, null, List.of(), reason, code, Instant.now());
    }

    @Override
    public String key() {
        return requestId;
    }

    @Override
    public String type() {
        return EventTypes.INFERENCE_RESULT;
    }
}
