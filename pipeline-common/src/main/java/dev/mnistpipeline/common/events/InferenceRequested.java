package dev.mnistpipeline.common.events;

/**
 * A prediction asked for over Kafka; the answer comes on {@code inference.results} with the same
 * {@code requestId}. Exactly one of {@code pixels} (base64 of 784 bytes, 28x28 row-major, 0 = background) and
 * {@code image} (base64 PNG or JPEG of any size, preprocessed the MNIST way) is set.
 *
 * @param model   the registered model to ask; null for {@code mnist}
 * @param version a model id or an alias of that model; null for its champion
 */
public record InferenceRequested(String requestId, String pixels, String image, String model, String version)
        implements PipelineEvent {
    @Override
    public String key() {
        return requestId;
    }

    @Override
    public String type() {
        return EventTypes.INFERENCE_REQUESTED;
    }

    @Override
    public void checkIds() {
        Ids.clientId("requestId", requestId);
        Ids.optionalRegisteredModel(model);
        if (version != null && !Ids.isModelId(version)) {
            Ids.alias(version);
        }
    }
}
