package dev.mnistpipeline.evaluator.domain;

import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.quarkus.Periodic;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.sweeps.Sweep;
import dev.mnistpipeline.common.sweeps.SweepRecords;
import dev.mnistpipeline.common.sweeps.TrialStatus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sweep's trials are evaluated like any model but not gated one by one: once every trial has finished, the trial
 * with the best validation accuracy (the test set is not used to choose) goes through the gate, once. Every
 * evaluator replica runs the same check; the verdict is recorded create-only ({@code registry/sweeps/<id>.json}).
 */
@ApplicationScoped
public class SweepGate {
    private static final Logger LOG = Logger.getLogger(SweepGate.class);

    private final ObjectStore store;
    private final SweepRecords records;
    private final PromotionService promotions;
    private final ModelEvaluator evaluator;
    private final Duration pollEvery;
    private final Set<String> gated = ConcurrentHashMap.newKeySet();
    private Periodic loop;

    public SweepGate(ObjectStore store, PromotionService promotions, ModelEvaluator evaluator,
                     @ConfigProperty(name = "pipeline.registry.sweeps.poll", defaultValue = "3s") Duration pollEvery) {
        this.store = store;
        this.records = new SweepRecords(store);
        this.promotions = promotions;
        this.evaluator = evaluator;
        this.pollEvery = pollEvery;
    }

    void onStart(@Observes StartupEvent event) {
        loop = Periodic.every("sweep-gate", pollEvery, this::checkAll);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.close();
        }
    }

    private void checkAll() {
        try {
            for (String id : records.ids()) {
                if (!gated.contains(id)) {
                    records.sweep(id).ifPresent(this::check);
                }
            }
        } catch (RuntimeException e) {
            LOG.debugf("Sweep gate check skipped: %s", e.getMessage());
        }
    }

    private void check(Sweep sweep) {
        if (store.exists(ObjectKeys.sweepGated(sweep.sweepId()))) {
            gated.add(sweep.sweepId());
            return;
        }
        List<TrialStatus> trials = records.statuses(sweep);
        if (trials.size() < sweep.trials().size() || !trials.stream().allMatch(TrialStatus::finished)) {
            return; // not over yet
        }
        Optional<TrialStatus> best = trials.stream().filter(t -> t.state().equals(TrialStatus.COMPLETED) && t.validationAccuracy() != null)
                .max(Comparator.comparingDouble(TrialStatus::validationAccuracy));
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("sweepId", sweep.sweepId());
        if (best.isEmpty()) {
            verdict.put("reason", "no trial completed: nothing to gate");
        } else {
            String modelId = ObjectKeys.modelId(best.get().runId());
            Optional<EvaluationReport> report = evaluator.find(ObjectKeys.evaluationId(modelId));
            if (report.isEmpty()) {
                return; // the best trial's evaluation is still running
            }
            GateDecision d = promotions.decide(report.get());
            verdict.put("bestRunId", best.get().runId());
            verdict.put("modelId", modelId);
            verdict.put("validationAccuracy", best.get().validationAccuracy());
            verdict.put("testAccuracy", report.get().accuracy());
            verdict.put("promoted", d.promoted());
            if (d.rollout() != null) {
                verdict.put("rollout", d.rollout()); // passed into a rollout, which decides
            }
            verdict.put("reasons", d.reasons());
        }
        verdict.put("at", Instant.now().toString());
        store.putIfUnchanged(ObjectKeys.sweepGated(sweep.sweepId()), Json.writeBytes(verdict), "application/json", null);
        gated.add(sweep.sweepId());
        LOG.infof("Sweep %s ended: %s", sweep.sweepId(), verdict);
    }
}
