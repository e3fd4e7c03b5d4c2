package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.drift.Histogram;
import dev.mnistpipeline.common.drift.ImageStatistic;
import dev.mnistpipeline.common.drift.InputProfile;
import dev.mnistpipeline.common.drift.Psi;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.evaluator.model.PredictionBatcher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Input and prediction drift per served model version, over tumbling windows of {@code pipeline.monitoring.window}
 * answered requests: each {@link ImageStatistic} of the images the model saw, compared with the model's training
 * reference ({@link InputProfile}, in its manifest), and its predicted classes and confidences, compared with its
 * training labels and its evaluation's confidences, each by the population stability index. A window whose largest
 * index passes {@code pipeline.monitoring.psi-threshold} has drifted. Prometheus gauges and counters per registered
 * model and version; {@code GET /monitoring}.
 */
@ApplicationScoped
public class DriftMonitor {
    private static final Logger LOG = Logger.getLogger(DriftMonitor.class);
    private static final ImageStatistic[] STATISTICS = ImageStatistic.values();

    private final ObjectStore store;
    private final MeterRegistry meters;
    private final int windowSize;
    private final double threshold;
    private final Map<String, Monitored> monitored = new ConcurrentHashMap<>();

    public DriftMonitor(ObjectStore store, MeterRegistry meters,
                        @ConfigProperty(name = "pipeline.monitoring.window", defaultValue = "500") int windowSize,
                        @ConfigProperty(name = "pipeline.monitoring.psi-threshold", defaultValue = "0.2") double threshold) {
        if (windowSize < 10 || !(threshold > 0)) {
            throw new IllegalArgumentException("pipeline.monitoring.window must be at least 10 and psi-threshold above 0");
        }
        this.store = store;
        this.meters = meters;
        this.windowSize = windowSize;
        this.threshold = threshold;
    }

    /**
     * The last full window of one served version: the index of each statistic, of the predicted classes and of the
     * confidences; {@code drifted} when the largest passes the threshold.
     */
    public record Window(Instant closedAt, Map<String, Double> inputPsi, double classPsi, double confidencePsi,
                         double maxPsi, boolean drifted) {
    }

    /**
     * @param reference false for a version without a training reference (trained before drift monitoring)
     * @param windows   full windows so far; {@code drifted} of them over the threshold
     * @param filling   requests in the window being filled
     */
    public record Status(String registeredModel, String modelId, boolean reference, long windows, long drifted,
                         int filling, int windowSize, double threshold, Window last) {
    }

    /**
     * Adds answered requests of {@code modelId}, a version of {@code registeredModel}. Monitoring never fails an
     * answered request: a reference that cannot be read now (storage down) is read again on the next request.
     */
    public void observe(String registeredModel, List<PredictionBatcher.Scored> answered) {
        if (answered.isEmpty()) {
            return;
        }
        Monitored m;
        try {
            m = monitored.computeIfAbsent(answered.get(0).modelId(), id -> new Monitored(registeredModel, id));
        } catch (RuntimeException e) {
            LOG.warnf("Drift monitoring of %s waits for its reference: %s", answered.get(0).modelId(), e.getMessage());
            return;
        }
        for (PredictionBatcher.Scored s : answered) {
            m.add(ImageStatistic.of(s.pixels()), s.probabilities());
        }
    }

    /** Every version that answered here, most recently active first. */
    public List<Status> status() {
        return monitored.values().stream().map(Monitored::status)
                .sorted(Comparator.comparing((Status s) -> s.last() == null ? Instant.MIN : s.last().closedAt()).reversed()).toList();
    }

    /** What one version is compared with: its training reference and the confidences of its evaluation. */
    private record Reference(InputProfile profile, double[] confidenceEdges, double[] confidenceShares) {
    }

    private Optional<Reference> reference(String modelId) {
        Optional<InputProfile> profile = store.findJson(ObjectKeys.modelManifest(modelId), ModelManifest.class)
                .map(ModelManifest::inputProfile);
        if (profile.isEmpty()) {
            return Optional.empty();
        }
        Optional<EvaluationReport> report = store.findJson(ObjectKeys.evaluationReport(ObjectKeys.evaluationId(modelId)),
                EvaluationReport.class);
        List<EvaluationReport.Calibration.Bin> bins = report.map(r -> r.calibration().bins()).orElse(List.of());
        double[] edges = new double[Math.max(0, bins.size() - 1)];
        long[] counts = new long[Math.max(1, bins.size())];
        for (int i = 0; i < bins.size(); i++) {
            if (i < edges.length) {
                edges[i] = bins.get(i).upper();
            }
            counts[i] = bins.get(i).count();
        }
        long total = bins.stream().mapToLong(EvaluationReport.Calibration.Bin::count).sum();
        return Optional.of(new Reference(profile.get(), edges, Histogram.shares(counts, total)));
    }

    /** One served version's windows. */
    private final class Monitored {
        private final String registeredModel;
        private final String modelId;
        private final Reference reference;
        private final AtomicReference<Window> last = new AtomicReference<>();
        private final Counter windows;
        private final Counter drifted;
        // the window being filled, guarded by this
        private final long[][] statisticCounts;
        private final long[] classCounts;
        private final long[] confidenceCounts;
        private int filling;

        Monitored(String registeredModel, String modelId) {
            this.registeredModel = registeredModel;
            this.modelId = modelId;
            this.reference = reference(modelId).orElse(null);
            if (reference == null) {
                LOG.infof("%s has no training reference (trained before drift monitoring): its inputs are not compared", modelId);
            }
            int statisticBins = reference == null ? 1 : reference.profile().statistics().values().stream().mapToInt(Histogram::bins).max().orElse(1);
            this.statisticCounts = new long[STATISTICS.length][statisticBins];
            this.classCounts = new long[reference == null ? 1 : reference.profile().classProportions().length];
            this.confidenceCounts = new long[reference == null ? 1 : reference.confidenceShares().length];
            String[] tags = {"model", registeredModel, "version", modelId};
            this.windows = Counter.builder("pipeline.drift.windows").tags(tags).description("full drift windows").register(meters);
            this.drifted = Counter.builder("pipeline.drift.windows.drifted").tags(tags)
                    .description("drift windows whose largest PSI passed the threshold").register(meters);
            Gauge.builder("pipeline.drift.detected", last, l -> l.get() != null && l.get().drifted() ? 1 : 0).tags(tags)
                    .description("1 when the last full window drifted").register(meters);
            Gauge.builder("pipeline.drift.prediction.psi", last, l -> l.get() == null ? Double.NaN : l.get().classPsi()).tags(tags)
                    .tag("kind", "classes").description("PSI of the predicted classes against the training labels").register(meters);
            Gauge.builder("pipeline.drift.prediction.psi", last, l -> l.get() == null ? Double.NaN : l.get().confidencePsi()).tags(tags)
                    .tag("kind", "confidence").description("PSI of the confidences against the evaluation's").register(meters);
            for (ImageStatistic statistic : STATISTICS) {
                Gauge.builder("pipeline.drift.input.psi", last, l -> l.get() == null ? Double.NaN : l.get().inputPsi().get(statistic.toString()))
                        .tags(tags).tag("statistic", statistic.toString())
                        .description("PSI of an image statistic against the training images").register(meters);
            }
        }

        synchronized void add(double[] statistics, float[] probabilities) {
            if (reference == null) {
                return;
            }
            for (int k = 0; k < STATISTICS.length; k++) {
                statisticCounts[k][reference.profile().statistics().get(STATISTICS[k].toString()).bin(statistics[k])]++;
            }
            int predicted = Probabilities.argmax(probabilities, 0, probabilities.length);
            if (predicted < classCounts.length) {
                classCounts[predicted]++;
            }
            confidenceCounts[Math.min(confidenceCounts.length - 1, bin(reference.confidenceEdges(), probabilities[predicted]))]++;
            if (++filling == windowSize) {
                close();
            }
        }

        private void close() {
            Map<String, Double> inputPsi = new LinkedHashMap<>();
            double max = 0;
            for (int k = 0; k < STATISTICS.length; k++) {
                Histogram h = reference.profile().statistics().get(STATISTICS[k].toString());
                double psi = Psi.of(h.proportions(), Arrays.copyOf(statisticCounts[k], h.bins()));
                inputPsi.put(STATISTICS[k].toString(), psi);
                max = Math.max(max, psi);
            }
            double classPsi = Psi.of(reference.profile().classProportions(), classCounts);
            double confidencePsi = Psi.of(reference.confidenceShares(), confidenceCounts);
            max = Math.max(max, Math.max(classPsi, confidencePsi));
            Window window = new Window(Instant.now(), inputPsi, classPsi, confidencePsi, max, max > threshold);
            last.set(window);
            windows.increment();
            if (window.drifted()) {
                drifted.increment();
                LOG.warnf("Drift on %s (%s): largest PSI %.3f over %d requests (input %s, classes %.3f, confidence %.3f)",
                        modelId, registeredModel, max, windowSize, inputPsi, classPsi, confidencePsi);
            }
            for (long[] counts : statisticCounts) {
                Arrays.fill(counts, 0);
            }
            Arrays.fill(classCounts, 0);
            Arrays.fill(confidenceCounts, 0);
            filling = 0;
        }

        synchronized Status status() {
            return new Status(registeredModel, modelId, reference != null, (long) windows.count(), (long) drifted.count(),
                    filling, windowSize, threshold, last.get());
        }
    }

    private static int bin(double[] edges, double value) {
        int i = Arrays.binarySearch(edges, value);
        return i >= 0 ? i + 1 : -i - 1; // calibration bins are [lower, upper): a value on an edge goes up
    }
}
