package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.common.events.RolloutComparison;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A rollout's champion and challenger compared on this replica's requests, as they are scored (lock-free: it is
 * fed from the batcher's threads), and shown as Prometheus gauges per registered model and rollout.
 */
final class LiveComparison {
    private final LongAdder compared = new LongAdder();
    private final LongAdder agreed = new LongAdder();
    private final LongAdder challengerAnswered = new LongAdder();
    private final DoubleAdder championConfidence = new DoubleAdder();
    private final DoubleAdder challengerConfidence = new DoubleAdder();
    private final DoubleAdder championMillis = new DoubleAdder();
    private final DoubleAdder challengerMillis = new DoubleAdder();

    LiveComparison(MeterRegistry meters, Rollout rollout) {
        String[] tags = {"model", rollout.registeredModel(), "rollout", rollout.rolloutId()};
        Gauge.builder("pipeline.rollout.compared", this, c -> c.snapshot().compared()).tags(tags)
                .description("requests both the champion and the challenger scored").register(meters);
        Gauge.builder("pipeline.rollout.agreement", this, c -> c.snapshot().agreement()).tags(tags)
                .description("share of compared requests with the same top class").register(meters);
        Gauge.builder("pipeline.rollout.confidence", this, c -> c.snapshot().championConfidence()).tags(tags).tag("version", "champion")
                .description("mean top-class probability").register(meters);
        Gauge.builder("pipeline.rollout.confidence", this, c -> c.snapshot().challengerConfidence()).tags(tags).tag("version", "challenger")
                .description("mean top-class probability").register(meters);
        Gauge.builder("pipeline.rollout.latency.ms", this, c -> c.snapshot().championMillis()).tags(tags).tag("version", "champion")
                .description("mean time to an answer").register(meters);
        Gauge.builder("pipeline.rollout.latency.ms", this, c -> c.snapshot().challengerMillis()).tags(tags).tag("version", "challenger")
                .description("mean time to an answer").register(meters);
    }

    /** Adds one request scored by both; answers how many were compared with it. */
    long add(float[] champion, float[] challenger, double championMs, double challengerMs, boolean answeredByChallenger) {
        int a = Probabilities.argmax(champion, 0, champion.length);
        int b = Probabilities.argmax(challenger, 0, challenger.length);
        if (a == b) {
            agreed.increment();
        }
        if (answeredByChallenger) {
            challengerAnswered.increment();
        }
        championConfidence.add(champion[a]);
        challengerConfidence.add(challenger[b]);
        championMillis.add(championMs);
        challengerMillis.add(challengerMs);
        compared.increment();
        return compared.sum();
    }

    RolloutComparison snapshot() {
        long n = compared.sum();
        if (n == 0) {
            return RolloutComparison.NONE;
        }
        return new RolloutComparison(n, challengerAnswered.sum(), agreed.sum() / (double) n, championConfidence.sum() / n,
                challengerConfidence.sum() / n, championMillis.sum() / n, challengerMillis.sum() / n);
    }

}
