package dev.mnistpipeline.evaluator.model;

import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.quarkus.Schedulers;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.registry.RegisteredModels;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.tf.TensorFlowRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The model versions that serve predictions, loaded through DJL on engine "TensorFlow" with a
 * {@link DigitTranslator}: each registered model's champion, and any other version or alias a request names, side by
 * side in a bounded cache ({@code pipeline.serving.cache-size}, least recently used out first, champions last).
 *
 * <p>A request resolves its name and version to a model id first, on its own thread, loading the version if it is
 * not cached, so the batcher's dispatcher only ever scores loaded versions. A promotion loads the new champion before
 * it is served, so requests never wait for a load. Each model call holds a reference to the version it scores with;
 * an evicted version is closed when the last call that holds it ends.
 */
@ApplicationScoped
public class ServedModels {
    private static final Logger LOG = Logger.getLogger(ServedModels.class);
    @SuppressWarnings("unchecked")
    private static final Class<List<byte[]>> IMAGES = (Class<List<byte[]>>) (Class<?>) List.class;

    private final ObjectStore store;
    private final ChampionSource registry;
    private final ServingSession session;
    private final String defaultName;
    private final int capacity;
    private final Counter hits;
    private final Counter misses;

    /** The champion of each name, as this replica last learned it. */
    private final Map<String, String> champions = new ConcurrentHashMap<>();
    /** Loaded versions, least recently used first; guarded by {@code this}. */
    private final LinkedHashMap<String, Loaded> loaded = new LinkedHashMap<>(16, 0.75f, true);
    /** One lock per version being loaded, so that two loads of different versions do not wait for each other. */
    private final Map<String, Object> loadLocks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService startupLoader = Schedulers.daemon("champion-loader");

    public ServedModels(ObjectStore store, ChampionSource registry, ServingSession session, MeterRegistry meters,
                        @ConfigProperty(name = "pipeline.serving.model-name", defaultValue = RegisteredModels.DEFAULT) String defaultName,
                        @ConfigProperty(name = "pipeline.serving.cache-size", defaultValue = "4") int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("pipeline.serving.cache-size must be at least 1, got " + capacity);
        }
        this.store = store;
        this.registry = registry;
        this.session = session;
        this.defaultName = Ids.registeredModel(defaultName);
        this.capacity = capacity;
        this.hits = Counter.builder("pipeline.serving.model.cache").tag("result", "hit")
                .description("requests whose model version was loaded already").register(meters);
        this.misses = Counter.builder("pipeline.serving.model.cache").tag("result", "miss")
                .description("requests whose model version had to be loaded").register(meters);
        Gauge.builder("pipeline.serving.models.loaded", this, ServedModels::loadedCount)
                .description("model versions loaded side by side").register(meters);
    }

    /**
     * A loaded model version with a pool of predictors: a DJL predictor serves one thread at a time, and making
     * one per request showed in the latency tail.
     */
    record Loaded(String modelId, ZooModel<List<byte[]>, float[][]> model, Path dir,
                  ConcurrentLinkedQueue<Predictor<List<byte[]>, float[][]>> predictors, AtomicInteger inFlight,
                  AtomicBoolean retired, AtomicBoolean closed) {
        Loaded(String modelId, ZooModel<List<byte[]>, float[][]> model, Path dir) {
            this(modelId, model, dir, new ConcurrentLinkedQueue<>(), new AtomicInteger(), new AtomicBoolean(), new AtomicBoolean());
        }

        /** Takes a reference; false if the version was retired meanwhile (the caller looks it up again). */
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

    void onStart(@Observes StartupEvent event) {
        // Loaded now even with no champion yet: the first evaluation would otherwise wait for it.
        TensorFlowRuntime.loadInBackground();
        startupLoader.execute(() -> {
            try {
                refresh(defaultName);
            } catch (RuntimeException e) {
                LOG.warnf("No champion of %s loaded at startup: %s", defaultName, e.getMessage());
            }
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        startupLoader.shutdownNow();
        synchronized (this) {
            loaded.values().forEach(Loaded::retire);
            loaded.clear();
        }
    }

    /** The name a request that names none is served from ({@code pipeline.serving.model-name}). */
    public String defaultName() {
        return defaultName;
    }

    /** The champion of {@code name} this replica serves, if it knows one. */
    public Optional<String> champion(String name) {
        return Optional.ofNullable(champions.get(name));
    }

    /** The champion of the default name this replica serves, if any. */
    public Optional<String> modelId() {
        return champion(defaultName);
    }

    /** Every name's champion as this replica serves it. */
    public Map<String, String> champions() {
        return Map.copyOf(champions);
    }

    /**
     * Reads {@code name}'s champion from the registry and, if it changed, loads it and serves it from now on.
     * Safe to call from several threads.
     */
    public Optional<String> refresh(String name) {
        Optional<String> latest = registry.champion(name).map(ChampionAlias::modelId);
        latest.ifPresent(modelId -> {
            if (!modelId.equals(champions.get(name))) {
                withLoaded(modelId); // loaded before it serves: no request waits for the load
                String old = champions.put(name, modelId);
                LOG.infof("Serving %s as the champion of %s%s", modelId, name, old == null ? "" : " (was " + old + ")");
            }
        });
        return latest;
    }

    /** {@link #refresh} for every name this replica has served a champion of, and the default one. */
    public void refreshAll() {
        List<String> names = new ArrayList<>(champions.keySet());
        if (!names.contains(defaultName)) {
            names.add(defaultName);
        }
        names.forEach(this::refresh);
    }

    /**
     * The version a request for {@code name} (null: the default name) and {@code version} (null: the champion; a
     * model id; or an alias such as {@code staging}) is scored with, loaded and ready.
     *
     * @throws NoChampionException     when the name has no champion yet
     * @throws UnknownVersionException when the version or alias is not one of the name's
     */
    public String resolve(String name, String version) {
        String modelId = versionOf(name, version);
        (cached(modelId) != null ? hits : misses).increment();
        withLoaded(modelId);
        return modelId;
    }

    /** {@link #resolve} without loading: the model id the name and version stand for. */
    public String versionOf(String name, String version) {
        String model = name == null ? defaultName : Ids.registeredModel(name);
        String modelId;
        if (version == null || version.equals(RegisteredModels.CHAMPION)) {
            modelId = champion(model).or(() -> refresh(model)).orElseThrow(() -> new NoChampionException(model));
        } else if (Ids.isModelId(version)) {
            String owner = registry.nameOf(version).orElseThrow(() -> new UnknownVersionException("no model version " + version));
            if (!owner.equals(model)) {
                throw new UnknownVersionException(version + " is a version of " + owner + ", not of " + model);
            }
            modelId = version;
        } else {
            String alias = Ids.alias(version);
            modelId = registry.alias(model, alias)
                    .orElseThrow(() -> new UnknownVersionException(model + " has no version or alias '" + alias + "'"));
        }
        return modelId;
    }

    /** True when the version is loaded on this replica: it answers without a load. */
    public boolean isLoaded(String modelId) {
        return cached(modelId) != null;
    }

    /** Class probabilities for MNIST-style images from one loaded version, in one model call. */
    public float[][] score(String modelId, List<byte[]> images) {
        Loaded serving = acquire(modelId);
        try {
            Predictor<List<byte[]>, float[][]> predictor = serving.predictors().poll();
            if (predictor == null) {
                predictor = serving.model().newPredictor();
            }
            try {
                return predictor.predict(images);
            } catch (TranslateException e) {
                throw new IllegalStateException("prediction with " + modelId + " failed: " + e.getMessage(), e);
            } finally {
                serving.predictors().offer(predictor);
            }
        } finally {
            serving.release();
        }
    }

    private Loaded acquire(String modelId) {
        while (true) {
            Loaded version = withLoaded(modelId);
            if (version.acquire()) {
                return version;
            }
        }
    }

    /** The loaded version, loading it first on a miss; one load per version however many ask at once. */
    private Loaded withLoaded(String modelId) {
        Loaded cached = cached(modelId);
        if (cached != null) {
            return cached;
        }
        synchronized (loadLock(modelId)) {
            cached = cached(modelId);
            if (cached != null) {
                return cached;
            }
            Loaded fresh = load(modelId);
            synchronized (this) {
                loaded.put(modelId, fresh);
                evictBeyondCapacity();
            }
            return fresh;
        }
    }

    private synchronized Loaded cached(String modelId) {
        return loaded.get(modelId);
    }

    private Object loadLock(String modelId) {
        return loadLocks.computeIfAbsent(modelId, id -> new Object());
    }

    /** Least recently used first, champions only when nothing else is left to evict. */
    private void evictBeyondCapacity() {
        while (loaded.size() > capacity) {
            String victim = loaded.keySet().stream().filter(id -> !champions.containsValue(id)).findFirst()
                    .orElse(loaded.keySet().iterator().next());
            Loaded evicted = loaded.remove(victim);
            evicted.retire();
            LOG.infof("Unloaded %s: more than %d versions were in use", victim, capacity);
        }
    }

    private synchronized int loadedCount() {
        return loaded.size();
    }

    /** No model of that name has passed the promotion gate yet, so there is nothing to serve. */
    public static final class NoChampionException extends RuntimeException {
        public NoChampionException(String name) {
            super("no champion of " + name + " yet: train a model that passes its promotion gate first");
        }
    }

    /** The request named a version or alias the registered model does not have: REST answers 404. */
    public static final class UnknownVersionException extends RuntimeException {
        public UnknownVersionException(String message) {
            super(message);
        }
    }

    /**
     * Runs the version once on blank images, one and an evaluation batch, before it serves: TensorFlow's first run of
     * a graph's shapes in a process costs 0.2-0.4 s on 2 cores, which would otherwise fall on the first request, and,
     * for the champion loaded at startup, on the first evaluation of a model of its architecture after a restart.
     */
    private static void warmUp(ZooModel<List<byte[]>, float[][]> model) throws TranslateException {
        try (Predictor<List<byte[]>, float[][]> predictor = model.newPredictor()) {
            byte[] blank = new byte[Idx.PIXELS]; // the translator only reads its images
            for (int size : new int[]{1, SavedModelScorer.BATCH}) {
                predictor.predict(Collections.nCopies(size, blank));
            }
        }
    }

    private Loaded load(String modelId) {
        ModelManifest manifest = registry.manifest(modelId)
                .orElseThrow(() -> new UnknownVersionException("no model version " + modelId));
        TensorFlowRuntime.engine();
        Path dir = SavedModelFiles.download(store, manifest);
        try {
            ZooModel<List<byte[]>, float[][]> model = session.configure(Criteria.builder().setTypes(IMAGES, float[][].class)
                    .optModelPath(dir)
                    .optEngine("TensorFlow")
                    .optTranslator(new DigitTranslator()))
                    .build().loadModel();
            long warm = System.nanoTime();
            try {
                warmUp(model);
            } catch (TranslateException | RuntimeException e) {
                model.close();
                LocalFiles.deleteTree(dir);
                throw new IllegalStateException("cannot run " + modelId + " on blank images: " + e.getMessage(), e);
            }
            LOG.infof("Loaded %s (warmed up in %d ms)", modelId, (System.nanoTime() - warm) / 1_000_000);
            return new Loaded(modelId, model, dir);
        } catch (IOException | ModelNotFoundException | MalformedModelException e) {
            LocalFiles.deleteTree(dir);
            throw new IllegalStateException("cannot load " + modelId + ": " + e.getMessage(), e);
        }
    }
}
