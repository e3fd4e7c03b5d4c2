package dev.mnistpipeline.common.sweeps;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading sweeps back from storage: the trainer runs them, the evaluator gates and shows them. */
public final class SweepRecords {
    /** A sweep with where each started trial stands, and the gate's verdict on its best once it ended (null before). */
    public record View(Sweep sweep, List<TrialStatus> trials, JsonNode gated) {
    }

    private final ObjectStore store;

    public SweepRecords(ObjectStore store) {
        this.store = store;
    }

    public List<String> ids() {
        return store.listFolders(ObjectKeys.SWEEPS_PREFIX).stream()
                .map(f -> f.substring(ObjectKeys.SWEEPS_PREFIX.length()).replace("/", ""))
                .filter(id -> !id.equals("by-run")).toList();
    }

    public Optional<Sweep> sweep(String sweepId) {
        return store.findJson(ObjectKeys.sweep(sweepId), Sweep.class);
    }

    public Optional<View> find(String sweepId) {
        return sweep(Ids.sweepId(sweepId)).map(s -> new View(s, statuses(s),
                store.findText(ObjectKeys.sweepGated(s.sweepId())).map(Json::tree).orElse(null)));
    }

    public List<View> list() {
        List<View> views = new ArrayList<>();
        for (String id : ids()) {
            find(id).ifPresent(views::add);
        }
        return views;
    }

    /** Every started trial's status, in plan order. */
    public List<TrialStatus> statuses(Sweep sweep) {
        List<TrialStatus> out = new ArrayList<>();
        for (Sweep.Trial t : sweep.trials()) {
            store.findJson(ObjectKeys.sweepTrial(sweep.sweepId(), t.runId()), TrialStatus.class).ifPresent(out::add);
        }
        return out;
    }
}
