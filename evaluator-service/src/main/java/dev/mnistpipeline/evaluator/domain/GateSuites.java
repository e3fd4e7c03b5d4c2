package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.datasets.PreparedSplit;
import dev.mnistpipeline.common.errors.ConflictException;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.manifest.PreparedManifest;
import dev.mnistpipeline.common.registry.RegisteredModels;
import dev.mnistpipeline.common.registry.SavedModelFiles;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.model.SavedModelScorer;
import dev.mnistpipeline.evaluator.model.ServingSession;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The registered {@link GateSuite}s, kept in the registry ({@code registry/gate-suites/<name>.json}), and their
 * scoring: at each gate decision the candidate and the champion are scored on every suite's test images.
 */
@ApplicationScoped
public class GateSuites implements GateSuite.Scoring {
    private static final Logger LOG = Logger.getLogger(GateSuites.class);

    private final ObjectStore store;
    private final ServingSession session;
    private final TestSplits testSplits;

    public GateSuites(ObjectStore store, ServingSession session, TestSplits testSplits) {
        this.store = store;
        this.session = session;
        this.testSplits = testSplits;
    }

    public List<GateSuite> all() {
        return store.list(ObjectKeys.GATE_SUITES_PREFIX).stream()
                .map(key -> store.findJson(key, GateSuite.class)).flatMap(Optional::stream)
                .sorted(Comparator.comparing(GateSuite::name)).toList();
    }

    /**
     * Registers (or replaces) a suite: the test split of {@code datasetId}'s newest prepared version. 409 when the
     * dataset is not prepared yet.
     */
    public GateSuite register(String name, String registeredModel, String datasetId, double minGain, double maxPrimaryDrop, String by) {
        String suiteName = Ids.datasetName(name);
        String model = Ids.registeredModel(RegisteredModels.orDefault(registeredModel));
        String dataset = Ids.datasetId(datasetId);
        if (!(minGain >= -1 && minGain <= 1) || !(maxPrimaryDrop >= 0 && maxPrimaryDrop <= 1)) {
            throw new IllegalArgumentException("minGain must be in [-1, 1] and maxPrimaryDrop in [0, 1] (fractions of accuracy), got "
                    + minGain + " and " + maxPrimaryDrop);
        }
        PreparedManifest prepared = newestPrepared(dataset).orElseThrow(() -> new ConflictException("dataset " + dataset
                + " has no prepared version yet; register the suite once dataset.prepared announces it"));
        if (prepared.testCount() == 0) {
            throw new IllegalArgumentException("dataset " + dataset + " has no test images to gate on");
        }
        GateSuite suite = new GateSuite(suiteName, dataset, prepared.preparedId(), prepared.testCount(), minGain,
                maxPrimaryDrop, by, Instant.now(), model);
        store.putJson(ObjectKeys.gateSuite(suiteName), suite);
        LOG.infof("Gate suite %s for %s registered by %s: %d test images of %s, gain >= %+.4f, primary drop <= %.4f",
                suiteName, model, by, suite.testImages(), prepared.preparedId(), minGain, maxPrimaryDrop);
        return suite;
    }

    /** The suite removed, if there was one. */
    public Optional<GateSuite> remove(String name) {
        String key = ObjectKeys.gateSuite(Ids.datasetName(name));
        Optional<GateSuite> suite = store.findJson(key, GateSuite.class);
        suite.ifPresent(s -> store.remove(key));
        return suite;
    }

    @Override
    public List<GateSuite.Score> score(String registeredModel, String candidateModelId, String championModelId) {
        List<GateSuite> suites = all().stream().filter(suite -> suite.gates(registeredModel)).toList();
        if (suites.isEmpty()) {
            return List.of();
        }
        List<PreparedSplit> tests = suites.stream().map(suite -> testSplits.get(store.getJson(
                ObjectKeys.preparedManifest(suite.preparedId()), PreparedManifest.class))).toList();
        double[] candidate = accuracies(candidateModelId, tests);
        double[] champion = accuracies(championModelId, tests);
        List<GateSuite.Score> scores = new ArrayList<>();
        for (int i = 0; i < suites.size(); i++) {
            scores.add(new GateSuite.Score(suites.get(i), candidate[i], champion[i]));
        }
        return scores;
    }

    /** The model's accuracy on each test split: downloaded and loaded once for all of them. */
    private double[] accuracies(String modelId, List<PreparedSplit> tests) {
        ModelManifest model = store.getJson(ObjectKeys.modelManifest(modelId), ModelManifest.class);
        Path dir = SavedModelFiles.download(store, model);
        try (SavedModelScorer scorer = new SavedModelScorer(dir, session)) {
            double[] accuracies = new double[tests.size()];
            for (int i = 0; i < tests.size(); i++) {
                PreparedSplit test = tests.get(i);
                float[] probabilities = scorer.probabilities(test.images(), test.count());
                int classes = probabilities.length / Math.max(1, test.count());
                accuracies[i] = test.count() == 0 ? 0
                        : Probabilities.correct(probabilities, classes, test.labels(), 0, test.count()) / (double) test.count();
            }
            return accuracies;
        } finally {
            LocalFiles.deleteTree(dir);
        }
    }

    private Optional<PreparedManifest> newestPrepared(String datasetId) {
        return store.listFolders("prepared/").stream()
                .map(folder -> folder.substring("prepared/".length()).replace("/", ""))
                .filter(id -> !id.equals("parts") && !id.isEmpty())
                .map(id -> store.findJson(ObjectKeys.preparedManifest(id), PreparedManifest.class)).flatMap(Optional::stream)
                .filter(p -> datasetId.equals(p.datasetId()))
                .max(Comparator.comparing(PreparedManifest::createdAt));
    }
}
