package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.evaluator.model.PredictionBatcher;
import dev.mnistpipeline.evaluator.model.ServedModels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accuracy on fresh data: every labelled sample users publish on {@code samples.submitted} is scored, as it arrives
 * and before any training uses it, by the champion of the registered model named like its dataset (and by the
 * challenger while a rollout runs, which compares the two on them), and each version's accuracy over its last {@code pipeline.monitoring.live-window}
 * samples is a metric ({@code pipeline_live_accuracy{model,version}}) and in {@code GET /monitoring}.
 */
@ApplicationScoped
public class LiveAccuracy {
    private final ServedModels models;
    private final Rollouts rollouts;
    private final PredictionBatcher batcher;
    private final MeterRegistry meters;
    private final int window;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    public LiveAccuracy(ServedModels models, Rollouts rollouts, PredictionBatcher batcher, MeterRegistry meters,
                        @ConfigProperty(name = "pipeline.monitoring.live-window", defaultValue = "200") int window) {
        if (window < 1) {
            throw new IllegalArgumentException("pipeline.monitoring.live-window must be at least 1");
        }
        this.models = models;
        this.rollouts = rollouts;
        this.batcher = batcher;
        this.meters = meters;
        this.window = window;
    }

    /** One version's accuracy on the labelled samples it scored here: over the last window, and in all. */
    public record Status(String registeredModel, String modelId, double accuracy, int window, long samples) {
    }

    /**
     * Scores a labelled sample of dataset {@code name} with that registered model's champion (and challenger),
     * waiting for the answers; nothing when the name has no champion yet.
     */
    public void score(String name, byte[] pixels, int label) {
        Optional<String> champion = models.champion(name).or(() -> {
            try {
                return Optional.of(models.resolve(name, null));
            } catch (ServedModels.NoChampionException e) {
                return Optional.empty();
            }
        });
        if (champion.isEmpty()) {
            return;
        }
        boolean championRight = scoreWith(name, champion.get(), pixels, label);
        Optional<Rollout> rollout = rollouts.running(name).filter(r -> !r.challengerModelId().equals(champion.get()));
        if (rollout.isPresent()) {
            String challenger = rollout.get().challengerModelId();
            models.resolve(name, challenger);
            rollouts.observeLabelled(rollout.get(), championRight, scoreWith(name, challenger, pixels, label));
        }
    }

    /** Scores the sample with one version and tallies it: whether it was right. */
    private boolean scoreWith(String name, String version, byte[] pixels, int label) {
        float[] p = batcher.submitAll(version, List.of(pixels)).get(0).join().probabilities();
        boolean right = Probabilities.argmax(p, 0, p.length) == label;
        tally(name, version).add(right);
        return right;
    }

    public List<Status> status() {
        return tallies.values().stream().map(Tally::status).sorted(Comparator.comparing(Status::modelId)).toList();
    }

    private Tally tally(String name, String modelId) {
        return tallies.computeIfAbsent(modelId, id -> new Tally(name, id));
    }

    /** The last {@code window} outcomes of one version, in a ring. */
    private final class Tally {
        private final String name;
        private final String modelId;
        private final boolean[] ring = new boolean[window];
        private final Counter correct;
        private final Counter wrong;
        private int filled;
        private int next;
        private int right;

        Tally(String name, String modelId) {
            this.name = name;
            this.modelId = modelId;
            String[] tags = {"model", name, "version", modelId};
            correct = Counter.builder("pipeline.live.samples").tags(tags).tag("result", "correct")
                    .description("labelled samples scored on arrival").register(meters);
            wrong = Counter.builder("pipeline.live.samples").tags(tags).tag("result", "wrong")
                    .description("labelled samples scored on arrival").register(meters);
            Gauge.builder("pipeline.live.accuracy", this, Tally::accuracy).tags(tags)
                    .description("accuracy on the last labelled samples, scored as they arrived").register(meters);
        }

        synchronized void add(boolean ok) {
            if (filled == window) {
                right -= ring[next] ? 1 : 0;
            } else {
                filled++;
            }
            ring[next] = ok;
            right += ok ? 1 : 0;
            next = (next + 1) % window;
            (ok ? correct : wrong).increment();
        }

        synchronized double accuracy() {
            return filled == 0 ? Double.NaN : right / (double) filled;
        }

        synchronized Status status() {
            return new Status(name, modelId, accuracy(), filled, (long) (correct.count() + wrong.count()));
        }
    }
}
