package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.json.Versioned;

import dev.mnistpipeline.common.registry.RegisteredModels;

import java.time.Instant;
import java.util.List;

/**
 * Another test set the promotion gate checks besides the candidate's own: the held-out images of a domain the models
 * are being adapted to (a new kind of handwriting, scans, a distortion). While suites are registered, a candidate
 * must gain at least {@code minGain} over the champion on each suite, and may then lose at most
 * {@code maxPrimaryDrop} on its primary test set instead of having to gain there (fine-tuning for a new domain
 * rarely improves the old one, and must not spoil it).
 *
 * @param preparedId the prepared version of {@code datasetId} whose test split is the suite, fixed at registration
 * @param registeredModel the registered model whose candidates the suite gates; null (suites from before names)
 *                        for {@code mnist}
 */
public record GateSuite(String name, String datasetId, String preparedId, int testImages, double minGain,
                        double maxPrimaryDrop, String registeredBy, Instant registeredAt, String registeredModel) implements Versioned {

    /** True when the suite gates candidates of {@code name}. */
    public boolean gates(String name) {
        return RegisteredModels.orDefault(registeredModel).equals(name);
    }

    /** A suite's accuracies: the candidate's and the champion's on its test images. */
    public record Score(GateSuite suite, double candidate, double champion) {
        public double gain() {
            return candidate - champion;
        }
    }

    /** Scores a candidate and its name's champion on every suite registered for the name (none: no suites). */
    @FunctionalInterface
    public interface Scoring {
        Scoring NONE = (name, candidate, champion) -> List.of();

        List<Score> score(String registeredModel, String candidateModelId, String championModelId);
    }
}
