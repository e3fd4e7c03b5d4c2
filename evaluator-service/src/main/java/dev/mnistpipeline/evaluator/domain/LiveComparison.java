package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.events.Rollout;
import dev.mnistpipeline.common.events.RolloutComparison;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A rollout's champion and challenger compared on this replica's requests and labelled samples, as they are scored
 * (lock-free: it is fed from the batcher's threads), and shown as Prometheus gauges per registered model and rollout.
 */
final class LiveComparison {
    private final LongAdder compared = new LongAdder();
    private final LongAdder agreed = new LongAdder();
    private final LongAdder challengerAnswered = new LongAdder();
    private final DoubleAdder championConfidence = new DoubleAdder();
    private final DoubleAdder challengerConfidence = new DoubleAdder();
    private final DoubleAdder championMillis = new DoubleAdder();
    private final DoubleAdder challengerMillis = new DoubleAdder();
    private final LongAdder labelled = new LongAdder();
    private final LongAdder championRight = new LongAdder();
    private final LongAdder challengerRight = new LongAdder();
    private final AtomicBoolean decisionClaimed = new AtomicBoolean();

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
        Gauge.builder("pipeline.rollout.live.accuracy", this, c -> c.snapshot().championAccuracy()).tags(tags).tag("version", "champion")
                .description("accuracy on the labelled samples published during the rollout").register(meters);
        Gauge.builder("pipeline.rollout.live.accuracy", this, c -> c.snapshot().challengerAccuracy()).tags(tags).tag("version", "challenger")
                .description("accuracy on the labelled samples published during the rollout").register(meters);
    }

    /** Adds one labelled sample scored by both: whether each was right. */
    void addLabelled(boolean championOk, boolean challengerOk) {
        if (championOk) {
            championRight.increment();
        }
        if (challengerOk) {
            challengerRight.increment();
        }
        labelled.increment();
    }

    /** True once, for the caller that gets to decide the rollout when enough was compared for its policy. */
    boolean claimDecision(Rollout rollout) {
        // Called for every compared request: two counter sums, not a full snapshot.
        return !decisionClaimed.get() && compared.sum() >= rollout.policy().minRequests()
                && labelled.sum() >= rollout.policy().minLabelled() && decisionClaimed.compareAndSet(false, true);
    }

    /** Adds one request scored by both. */
    void add(float[] champion, float[] challenger, double championMs, double challengerMs, boolean answeredByChallenger) {
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
    }

    RolloutComparison snapshot() {
        long n = compared.sum();
        long l = labelled.sum();
        double perRequest = Math.max(n, 1);
        double perSample = Math.max(l, 1);
        return new RolloutComparison(n, challengerAnswered.sum(), agreed.sum() / perRequest, championConfidence.sum() / perRequest,
                challengerConfidence.sum() / perRequest, championMillis.sum() / perRequest, challengerMillis.sum() / perRequest,
                l, championRight.sum() / perSample, challengerRight.sum() / perSample);
    }

}
