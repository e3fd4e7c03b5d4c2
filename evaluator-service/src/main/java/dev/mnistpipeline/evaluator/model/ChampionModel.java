package dev.mnistpipeline.evaluator.model;

import dev.mnistpipeline.common.quarkus.Schedulers;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model that serves predictions: the registry's champion, loaded through DJL on engine "TensorFlow" with a
 * {@link DigitTranslator}. A promotion loads the new champion next to the old one and swaps a reference, so
 * requests never wait for a load. Each model call holds a reference to the version it scores with; the old version
 * is closed when the last call that holds it ends, so a swap never scores on a closed model.
 */
@ApplicationScoped
public class ChampionModel {
    private static final Logger LOG = Logger.getLogger(ChampionModel.class);
    @SuppressWarnings("unchecked")
    private static final Class<List<byte[]>> IMAGES = (Class<List<byte[]>>) (Class<?>) List.class;

    private final ObjectStore store;
    private final ChampionSource registry;

    private final ServingSession session;

    public ChampionModel(ObjectStore store,
                         ChampionSource registry,
                         ServingSession session) {
        this.store = store;
        this.registry = registry;
        this.session = session;
    }

    /**
     * A loaded model version with a pool of predictors: a DJL predictor serves one thread at a time, and making
     * one per request showed in the latency tail.
     */
    public record Loaded(String modelId, ZooModel<List<byte[]>, float[][]> model, Path dir,
                         ConcurrentLinkedQueue<Predictor<List<byte[]>, float[][]>> predictors, AtomicInteger inFlight,
                         AtomicBoolean retired, AtomicBoolean closed) {
        Loaded(String modelId, ZooModel<List<byte[]>, float[][]> model, Path dir) {
            this(modelId, model, dir, new ConcurrentLinkedQueue<>(), new AtomicInteger(), new AtomicBoolean(), new AtomicBoolean());
        }

        /** Takes a reference; false if the version was retired meanwhile (the caller reads the current one again). */
        boolean acquire() {
            inFlight.incrementAndGet();
            if (retired.get()) {
                release();
                return false;
            }
            return true;
        }

        void release() {
            if (inFlight.decrementAndGet() == 0 && retired.get()) {
                closeOnce();
            }
        }

        /** No new calls from now on; closed at once if none is in flight, else by the last one. */
        void retire() {
            retired.set(true);
            if (inFlight.get() == 0) {
                closeOnce();
            }
        }

        private void closeOnce() {
            if (closed.compareAndSet(false, true)) {
                predictors.forEach(Predictor::close);
                model.close();
                LocalFiles.deleteTree(dir);
            }
        }
    }

    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final ScheduledExecutorService startupLoader = Schedulers.daemon("champion-loader");

    void onStart(@Observes StartupEvent event) {
        startupLoader.execute(() -> {
            try {
                refresh();
            } catch (RuntimeException e) {
                LOG.warnf("No champion loaded at startup: %s", e.getMessage());
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        startupLoader.shutdownNow();
        Optional.ofNullable(current.getAndSet(null)).ifPresent(Loaded::retire);
    }

    /** The serving model version, if one is loaded. */
    public Optional<String> modelId() {
        return Optional.ofNullable(current.get()).map(Loaded::modelId);
    }

    /** Loads the registry's champion if it is not the one serving. Safe to call from several threads. */
    public synchronized Optional<String> refresh() {
        Optional<ChampionAlias> alias = registry.champion();
        Loaded serving = current.get();
        if (alias.isEmpty() || (serving != null && serving.modelId().equals(alias.get().modelId()))) {
            return modelId();
        }
        Loaded next = load(alias.get().modelId());
        Loaded old = current.getAndSet(next);
        LOG.infof("Serving champion %s%s", next.modelId(), old == null ? "" : " (was " + old.modelId() + ")");
        if (old != null) {
            old.retire();
        }
        return Optional.of(next.modelId());
    }

    /**
     * Class probabilities for MNIST-style images from the champion, in one model call ({@link PredictionBatcher}
     * groups concurrent requests into such calls).
     *
     * @throws NoChampionException when no model has been promoted yet
     */
    public Scored score(List<byte[]> images) {
        Loaded serving = acquireServing();
        try {
            Predictor<List<byte[]>, float[][]> predictor = serving.predictors().poll();
            if (predictor == null) {
                predictor = serving.model().newPredictor();
            }
            try {
                return new Scored(serving.modelId(), predictor.predict(images));
            } catch (TranslateException e) {
                throw new IllegalStateException("prediction with " + serving.modelId() + " failed: " + e.getMessage(), e);
            } finally {
                serving.predictors().offer(predictor);
            }
        } finally {
            serving.release();
        }
    }

    private Loaded acquireServing() {
        while (true) {
            Loaded serving = current.get();
            if (serving == null) {
                refresh();
                serving = current.get();
                if (serving == null) {
                    throw new NoChampionException();
                }
            }
            if (serving.acquire()) {
                return serving;
            }
        }
    }

    /** Probabilities per image and the model version that produced them. */
    public record Scored(String modelId, float[][] probabilities) {
    }

    /** No model has passed the promotion gate yet, so there is nothing to serve. */
    public static final class NoChampionException extends RuntimeException {
        public NoChampionException() {
            super("no champion model yet: train a model that passes the promotion gate first");
        }
    }

    private Loaded load(String modelId) {
        ModelManifest manifest = registry.manifest(modelId)
                .orElseThrow(() -> new IllegalStateException("champion " + modelId + " has no manifest"));
        TensorFlowRuntime.engine();
        Path dir = SavedModelFiles.download(store, manifest);
        try {
            ZooModel<List<byte[]>, float[][]> model = session.configure(Criteria.builder().setTypes(IMAGES, float[][].class)
                    .optModelPath(dir)
                    .optEngine("TensorFlow")
                    .optTranslator(new DigitTranslator()))
                    .build().loadModel();
            return new Loaded(modelId, model, dir);
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            LocalFiles.deleteTree(dir);
            throw new IllegalStateException("cannot load champion " + modelId + ": " + e.getMessage(), e);
        }
    }

}
