package dev.mnistpipeline.common.events;

import java.time.Instant;
import java.util.List;

/**
 * The answer to one {@link InferenceRequested}: the top classes by probability and the model version that
 * produced them, or an {@code error} (the request then also lands on {@code inference.requests.dlq}).
 */
public record InferenceResult(String requestId, String modelId, List<Prediction> top,
                              String error, Instant time) implements PipelineEvent {
    public record Prediction(int label, double probability) {
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
