package dev.mnistpipeline.evaluator.model;

import dev.mnistpipeline.common.events.InferenceResult;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Dynamic batching, as DJL Serving and Triton do it: concurrent predictions (REST and Kafka alike) wait in one queue,
 * and a dispatcher thread scores up to {@code max-batch} of them in one model call. A model call costs far more than
 * an image in it, so under load the batch grows by itself: requests that arrive while a batch is scored form the
 * next one. The dispatcher waits up to {@code max-wait} for requests that are already inside the service (being
 * decoded) but not yet queued, and never for requests that may or may not come: a lone client pays no wait.
 */
@ApplicationScoped
public class PredictionBatcher {
    private static final Logger LOG = Logger.getLogger(PredictionBatcher.class);

    private final BiFunction<String, List<byte[]>, float[][]> model;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final Duration timeout;
    private final DistributionSummary batchSizes;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Requests inside {@link #score} that are not queued yet (their input is being decoded). */
    private final AtomicInteger arriving = new AtomicInteger();
    private volatile Thread dispatcher;
    private volatile boolean stopped;

    @Inject
    public PredictionBatcher(ServedModels models, MeterRegistry meters,
                             @ConfigProperty(name = "pipeline.predict.batching.max-batch") int maxBatch,
                             @ConfigProperty(name = "pipeline.predict.batching.max-wait") Duration maxWait,
                             @ConfigProperty(name = "pipeline.predict.timeout", defaultValue = "30s") Duration timeout) {
        this(models::score, meters, maxBatch, maxWait, timeout);
    }

    /**
     * @param model   scores a batch of images with one loaded model version (by id) in one call
     * @param timeout the longest a caller waits for its answer: past it, it gets an error, never a hang
     */
    PredictionBatcher(BiFunction<String, List<byte[]>, float[][]> model, MeterRegistry meters, int maxBatch, Duration maxWait,
                      Duration timeout) {
        if (maxBatch < 1 || maxWait.isNegative()) {
            throw new IllegalArgumentException("pipeline.predict.batching.max-batch must be >= 1 and max-wait >= 0, got "
                    + maxBatch + " and " + maxWait);
        }
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.timeout = timeout;
        this.batchSizes = DistributionSummary.builder("pipeline.prediction.batch.size")
                .description("images per model call (dynamic batching)").register(meters);
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    void start() {
        Thread t = new Thread(this::dispatch, "prediction-batcher");
        t.setDaemon(true);
        t.start();
        dispatcher = t;
        LOG.infof("Dynamic batching: up to %d images per model call, waiting at most %d us for requests in flight",
                maxBatch, maxWaitNanos / 1000);
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    void stop() {
        stopped = true;
        Thread t = dispatcher;
        if (t != null) {
            t.interrupt();
        }
    }

    /** The evaluator stops, or a prediction took longer than {@code pipeline.predict.timeout}: REST answers 503. */
    public static final class NotServedException extends RuntimeException {
        public final String code;

        public NotServedException(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** One image to score: its pixels (784 bytes) and the loaded model version to score them with. */
    public record Input(String modelId, byte[] pixels) {
    }

    /**
     * The image that {@code prepare} makes (decoding it, resolving its model version), scored in the next batch;
     * blocks until then, at most {@code pipeline.predict.timeout}.
     */
    public Scored score(Supplier<Input> prepare) {
        if (stopped) {
            throw shuttingDown();
        }
        Pending pending;
        arriving.incrementAndGet();
        try {
            Input input = prepare.get();
            pending = new Pending(input.modelId(), input.pixels());
            queue.add(pending);
        } finally {
            arriving.decrementAndGet();
        }
        return await(List.of(pending)).get(0);
    }

    /**
     * Several images of one request (an inference protocol tensor), queued together so that they share model calls
     * with each other and with concurrent requests; blocks until all are scored, at most {@code pipeline.predict.timeout}.
     */
    public List<Scored> scoreAll(String modelId, List<byte[]> images) {
        if (stopped) {
            throw shuttingDown();
        }
        List<Pending> pending = images.stream().map(image -> new Pending(modelId, image)).toList();
        // Counted as arriving while queued, so the dispatcher waits (up to max-wait) for the rest of this request.
        arriving.incrementAndGet();
        try {
            queue.addAll(pending);
        } finally {
            arriving.decrementAndGet();
        }
        return await(pending);
    }

    /**
     * Queues images for {@code modelId} without waiting for them (a rollout's comparison scoring): each future
     * completes when its image is scored, or fails on shutdown or after {@code pipeline.predict.timeout}.
     */
    public List<CompletableFuture<Scored>> submitAll(String modelId, List<byte[]> images) {
        List<Pending> pending = images.stream().map(image -> new Pending(modelId, image)).toList();
        if (stopped) {
            pending.forEach(p -> p.result().completeExceptionally(shuttingDown()));
        } else {
            queue.addAll(pending);
        }
        return pending.stream().map(p -> p.result().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)).toList();
    }

    private List<Scored> await(List<Pending> pending) {
        if (stopped) {
            failQueued(); // the dispatcher may have drained the queue before these arrived
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Scored> scored = new ArrayList<>(pending.size());
        try {
            for (Pending p : pending) {
                scored.add(p.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return scored;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw shuttingDown();
        } catch (TimeoutException e) {
            pending.forEach(p -> p.result.cancel(false));
            throw new NotServedException(InferenceResult.Codes.TIMEOUT, "no prediction within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private static NotServedException shuttingDown() {
        return new NotServedException(InferenceResult.Codes.SHUTTING_DOWN, "the evaluator is shutting down");
    }

    private void failQueued() {
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(p -> p.result().completeExceptionally(shuttingDown()));
    }

    /** The pixels scored, their probabilities, the model that produced them and the size of the batch it was scored in. */
    public record Scored(String modelId, byte[] pixels, float[] probabilities, int batchSize) {
    }

    private record Pending(String modelId, byte[] pixels, CompletableFuture<Scored> result) {
        Pending(String modelId, byte[] pixels) {
            this(modelId, pixels, new CompletableFuture<>());
        }
    }

    private void dispatch() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (!stopped) {
            try {
                collect(batch);
                run(batch);
            } catch (InterruptedException e) {
                break;
            } catch (Throwable e) {
                // Whatever the model call threw (a native error included), its callers get it and the next batch runs.
                LOG.errorf(e, "A batch of %d predictions failed", batch.size());
                batch.forEach(p -> p.result().completeExceptionally(e));
            }
            batch.clear();
        }
        // Shutting down: nobody will score these, so their callers get an answer now rather than never.
        batch.forEach(p -> p.result().completeExceptionally(shuttingDown()));
        failQueued();
    }

    /** The next batch: whatever is queued, plus (up to max-wait) requests already inside the service. */
    private void collect(List<Pending> batch) throws InterruptedException {
        batch.add(queue.take());
        long deadline = System.nanoTime() + maxWaitNanos;
        while (batch.size() < maxBatch) {
            if (queue.drainTo(batch, maxBatch - batch.size()) > 0) {
                continue;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || arriving.get() == 0) {
                return;
            }
            Pending next = queue.poll(Math.min(left, 50_000), TimeUnit.NANOSECONDS);
            if (next != null) {
                batch.add(next);
            }
        }
    }

    /** One model call per version in the batch (versions side by side: mostly one, the champion). */
    private void run(List<Pending> batch) {
        Map<String, List<Pending>> byModel = new LinkedHashMap<>();
        batch.forEach(p -> byModel.computeIfAbsent(p.modelId(), id -> new ArrayList<>()).add(p));
        byModel.forEach(this::runOne);
    }

    private void runOne(String modelId, List<Pending> batch) {
        try {
            List<byte[]> images = new ArrayList<>(batch.size());
            batch.forEach(p -> images.add(p.pixels()));
            float[][] probabilities = model.apply(modelId, images);
            batchSizes.record(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(new Scored(modelId, batch.get(i).pixels(), probabilities[i], batch.size()));
            }
        } catch (RuntimeException e) {
            batch.forEach(p -> p.result().completeExceptionally(e));
        }
    }
}
