package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.evaluator.model.PredictionBatcher;
import dev.mnistpipeline.evaluator.model.ServedModels;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A registered model's champion traffic while a rollout runs, REST and Kafka alike: which version answers (in a
 * canary, the challenger for its share of the requests), and the other version scoring the same pixels in the
 * background, so that every request compares the two. A request that names a version is never routed.
 */
@ApplicationScoped
public class RolloutTraffic {
    private static final Logger LOG = Logger.getLogger(RolloutTraffic.class);

    private final Rollouts rollouts;
    private final ServedModels models;
    private final PredictionBatcher batcher;

    public RolloutTraffic(Rollouts rollouts, ServedModels models, PredictionBatcher batcher) {
        this.rollouts = rollouts;
        this.models = models;
        this.batcher = batcher;
    }

    /** One request's way while a rollout runs. */
    public record Route(Rollout rollout, boolean challengerAnswers) {
    }

    /** The route of a request for {@code name} and {@code version}: empty unless it asks for a champion under rollout. */
    public Optional<Route> route(String name, String version) {
        if (version != null) {
            return Optional.empty();
        }
        return rollouts.running(name).map(r -> new Route(r, r.canary() && ThreadLocalRandom.current().nextDouble() < r.share()));
    }

    /** The loaded version that answers a routed request. */
    public String answering(Route route) {
        Rollout r = route.rollout();
        return route.challengerAnswers() ? models.resolve(r.registeredModel(), r.challengerModelId())
                : models.resolve(r.registeredModel(), null);
    }

    /**
     * After the answer: the other version scores the same pixels (queued, not awaited), and each pair is compared.
     *
     * @param answerMillis how long the answering version took, queueing and batching included
     */
    public void compare(Route route, List<PredictionBatcher.Scored> answered, double answerMillis) {
        Rollout r = route.rollout();
        String other;
        try {
            other = route.challengerAnswers() ? models.resolve(r.registeredModel(), null)
                    : models.resolve(r.registeredModel(), r.challengerModelId());
        } catch (RuntimeException e) {
            LOG.warnf("Rollout %s: cannot compare with the other version: %s", r.rolloutId(), e.getMessage());
            return;
        }
        List<byte[]> pixels = new ArrayList<>(answered.size());
        answered.forEach(s -> pixels.add(s.pixels()));
        long queued = System.nanoTime();
        List<CompletableFuture<PredictionBatcher.Scored>> copies = batcher.submitAll(other, pixels);
        for (int i = 0; i < copies.size(); i++) {
            PredictionBatcher.Scored first = answered.get(i);
            copies.get(i).whenComplete((second, failure) -> {
                if (failure != null) {
                    return; // shutting down or timed out: not a comparison
                }
                double otherMillis = (System.nanoTime() - queued) / 1e6;
                if (route.challengerAnswers()) {
                    rollouts.observe(r, second.probabilities(), first.probabilities(), otherMillis, answerMillis, true);
                } else {
                    rollouts.observe(r, first.probabilities(), second.probabilities(), answerMillis, otherMillis, false);
                }
            });
        }
    }
}
