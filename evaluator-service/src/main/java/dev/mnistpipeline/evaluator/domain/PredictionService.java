package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.InferenceRequested;
import dev.mnistpipeline.common.events.InferenceResult;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.evaluator.model.ServedModels;
import dev.mnistpipeline.evaluator.model.PredictionBatcher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One prediction, over REST or Kafka: decode the input (784 raw bytes, or a PNG/JPEG of any size prepared the
 * MNIST way), check the limits, score it with the version asked for (a registered model's champion unless a version
 * or alias is named), keep the top classes.
 */
@ApplicationScoped
public class PredictionService {

    private final PredictionBatcher batcher;
    private final ServedModels models;
    private final RolloutTraffic rollouts;
    private final DriftMonitor drift;
    private final MeterRegistry meters;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final int maxUploadBytes;
    private final int maxImageSide;
    private final int topK;

    public PredictionService(PredictionBatcher batcher, ServedModels models, RolloutTraffic rollouts, DriftMonitor drift,
                             MeterRegistry meters,
                             @ConfigProperty(name = "pipeline.predict.max-upload-bytes") int maxUploadBytes,
                             @ConfigProperty(name = "pipeline.predict.max-image-side") int maxImageSide,
                             @ConfigProperty(name = "pipeline.predict.top-k") int topK) {
        this.batcher = batcher;
        this.models = models;
        this.rollouts = rollouts;
        this.drift = drift;
        this.meters = meters;
        this.maxUploadBytes = maxUploadBytes;
        this.maxImageSide = maxImageSide;
        this.topK = topK;
    }

    /**
     * @param model     the registered model asked
     * @param modelId   the version that answered
     * @param input     what was received: {@code raw} or {@code image}
     * @param pixels    base64 of the 28x28 image the model saw (after MNIST preprocessing)
     * @param batchSize how many images the model call that scored this one held (dynamic batching)
     */
    public record Prediction(String model, String modelId, List<InferenceResult.Prediction> top, String input, String pixels,
                             double millis, int batchSize) {
    }

    /** Thrown when an upload is larger than {@code pipeline.predict.max-upload-bytes}; REST answers 413. */
    public static final class TooLargeException extends RuntimeException {
        TooLargeException(String message) {
            super(message);
        }
    }

    /** {@link #predict(Target, byte[])} with the default name's champion. */
    public Prediction predict(byte[] body) {
        return predict(Target.DEFAULT, body);
    }

    /**
     * Which model a request asks for.
     *
     * @param model   a registered model's name; null for the default ({@code pipeline.serving.model-name})
     * @param version a model id or an alias of it; null for its champion
     */
    public record Target(String model, String version) {
        public static final Target DEFAULT = new Target(null, null);
    }

    /** Raw 784 bytes when the body is exactly that long and not a PNG/JPEG; otherwise an encoded image. */
    public Prediction predict(Target target, byte[] body) {
        long start = System.nanoTime();
        if (body == null || body.length == 0) {
            throw new InvalidDataException("empty body: send a PNG or JPEG image, or 784 raw bytes (28x28, 0 = background)");
        }
        if (body.length > maxUploadBytes) {
            throw new TooLargeException("upload is " + body.length + " bytes; the limit is " + maxUploadBytes);
        }
        boolean raw = body.length == Idx.PIXELS && !looksEncoded(body);
        Optional<RolloutTraffic.Route> route = rollouts.route(nameOf(target), target.version());
        long[] queued = new long[1];
        // Decoded inside the batcher, which then knows this request is on its way to the next batch; decoded first,
        // so that a bad image is refused as such whatever the model.
        PredictionBatcher.Scored scored = batcher.score(() -> {
            byte[] pixels = raw ? body : MnistImage.fromEncoded(body, maxImageSide);
            String modelId = route.map(rollouts::answering).orElseGet(() -> models.resolve(target.model(), target.version()));
            queued[0] = System.nanoTime();
            return new PredictionBatcher.Input(modelId, pixels);
        });
        long nanos = System.nanoTime() - start;
        route.ifPresent(r -> rollouts.compare(r, List.of(scored), (System.nanoTime() - queued[0]) / 1e6));
        drift.observe(nameOf(target), List.of(scored));
        timers.computeIfAbsent(scored.modelId(), model -> Timer.builder("pipeline.prediction").tag("model", model)
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5))
                        .register(meters))
                .record(nanos, TimeUnit.NANOSECONDS);
        return new Prediction(nameOf(target), scored.modelId(), top(scored.probabilities()), raw ? "raw" : "image",
                Base64.getEncoder().encodeToString(scored.pixels()), nanos / 1e6, scored.batchSize());
    }

    /**
     * Several images as one request (an inference protocol tensor): dynamically batched, all scored by the one
     * version the target resolves to when the request arrives.
     */
    public List<PredictionBatcher.Scored> scoreAll(Target target, List<byte[]> images) {
        Optional<RolloutTraffic.Route> route = rollouts.route(nameOf(target), target.version());
        String modelId = route.map(rollouts::answering).orElseGet(() -> models.resolve(target.model(), target.version()));
        long queued = System.nanoTime();
        List<PredictionBatcher.Scored> scored = batcher.scoreAll(modelId, images);
        route.ifPresent(r -> rollouts.compare(r, scored, (System.nanoTime() - queued) / 1e6));
        drift.observe(nameOf(target), scored);
        return scored;
    }

    private String nameOf(Target target) {
        return target.model() == null ? models.defaultName() : target.model();
    }

    /**
     * The Kafka form, answered on {@code inference.results} exactly once per request id, whatever happens: a result,
     * or an {@code error} with a {@link InferenceResult.Codes reason code}. A request that could not be served now (no
     * champion yet, shutting down, a timeout) is answered and acknowledged; a bad one, or one the model failed on,
     * is answered and rethrown for the dead-letter topic. An outage is rethrown unanswered: the request is retried.
     */
    public void respond(InferenceRequested request, Consumer<InferenceResult> publishOnce) {
        try {
            publishOnce.accept(answer(request));
        } catch (InvalidDataException | TooLargeException e) {
            answerError(request, InferenceResult.Codes.INVALID_REQUEST, e, publishOnce);
            throw e;
        } catch (ServedModels.NoChampionException e) {
            answerError(request, InferenceResult.Codes.NO_CHAMPION, e, publishOnce);
        } catch (ServedModels.UnknownVersionException e) {
            answerError(request, InferenceResult.Codes.UNKNOWN_MODEL, e, publishOnce);
            throw new InvalidDataException(e.getMessage());
        } catch (PredictionBatcher.NotServedException e) {
            answerError(request, e.code, e, publishOnce);
        } catch (RuntimeException e) {
            if (Outages.isOutage(e)) {
                throw e;
            }
            answerError(request, InferenceResult.Codes.INTERNAL_ERROR, e, publishOnce);
            throw e;
        }
    }

    /**
     * A request that could not be read (wrong types, a bad id, not JSON) is still answered when it names a requestId
     * that can be correlated; one that does not cannot be answered, and only the dead-letter topic has it.
     */
    public void answerUnreadable(String payload, RuntimeException failure, Consumer<InferenceResult> publishOnce) {
        String requestId;
        try {
            requestId = Json.tree(payload).path("requestId").asText(null);
            Ids.clientId("requestId", requestId);
        } catch (RuntimeException notUsable) {
            return;
        }
        publishOnce.accept(InferenceResult.error(requestId, InferenceResult.Codes.INVALID_REQUEST,
                "unreadable request: " + failure.getMessage()));
    }

    private static void answerError(InferenceRequested request, String code, RuntimeException e, Consumer<InferenceResult> publishOnce) {
        if (request.requestId() != null && !request.requestId().isBlank()) {
            publishOnce.accept(InferenceResult.error(request.requestId(), code, e.getMessage()));
        }
    }

    /** Exactly one of {@code pixels} and {@code image}, both base64. */
    InferenceResult answer(InferenceRequested request) {
        if (request.requestId() == null || request.requestId().isBlank()) {
            throw new InvalidDataException("requestId is required to correlate the result");
        }
        if ((request.pixels() == null) == (request.image() == null)) {
            throw new InvalidDataException("set exactly one of pixels (base64 of 784 bytes) and image (base64 PNG/JPEG)");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(request.pixels() != null ? request.pixels() : request.image());
        } catch (IllegalArgumentException e) {
            throw new InvalidDataException("pixels/image is not valid base64: " + e.getMessage());
        }
        if (request.pixels() != null && data.length != Idx.PIXELS) {
            throw new InvalidDataException("pixels must decode to 784 bytes, got " + data.length);
        }
        Prediction p = predict(new Target(request.model(), request.version()), data);
        return new InferenceResult(request.requestId(), p.modelId(), p.top(), null, null, Instant.now());
    }

    private List<InferenceResult.Prediction> top(float[] probabilities) {
        List<InferenceResult.Prediction> all = new ArrayList<>();
        for (int c = 0; c < probabilities.length; c++) {
            all.add(new InferenceResult.Prediction(c, probabilities[c]));
        }
        all.sort(Comparator.comparingDouble(InferenceResult.Prediction::probability).reversed());
        return List.copyOf(all.subList(0, Math.min(topK, all.size())));
    }

    private static boolean looksEncoded(byte[] b) {
        boolean png = (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
        boolean jpeg = (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8;
        return png || jpeg;
    }
}
