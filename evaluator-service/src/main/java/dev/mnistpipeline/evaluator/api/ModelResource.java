package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.evaluator.domain.ModelEvaluator;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Optional;

/** The model registry: every version with lineage, hyperparameters, training history, evaluation and gate decision. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ModelRegistry registry;
    private final ModelEvaluator evaluator;

    public ModelResource(ModelRegistry registry,
                         ModelEvaluator evaluator) {
        this.registry = registry;
        this.evaluator = evaluator;
    }

    /** One row of {@code GET /models}. */
    public record ModelSummary(String modelId, String architecture, String datasetId, String baseModelId,
                               Double accuracy, String decision, boolean champion, java.time.Instant createdAt) {
    }

    /** {@code GET /models/{id}}: everything the registry knows about a version. */
    public record ModelDetail(ModelManifest manifest, EvaluationReport evaluation, GateDecision decision,
                              boolean champion) {
    }

    public record Registry(ChampionAlias champion, GateThresholds thresholds, List<ModelSummary> models) {
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    public Registry list() {
        Optional<ChampionAlias> champion = registry.champion();
        String championId = champion.map(ChampionAlias::modelId).orElse(null);
        List<ModelSummary> models = registry.modelIds().stream().map(id -> detail(id, championId)).flatMap(Optional::stream)
                .map(d -> new ModelSummary(d.manifest().modelId(), d.manifest().hyperparameters().architecture(),
                        d.manifest().datasetId(), d.manifest().baseModelId(),
                        d.evaluation() == null ? null : d.evaluation().accuracy(),
                        d.decision() == null ? "pending" : d.decision().promoted() ? "promoted" : "rejected",
                        d.manifest().modelId().equals(championId), d.manifest().createdAt()))
                .toList();
        return new Registry(champion.orElse(null), registry.thresholds(), models);
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/champion")
    public ModelDetail champion() {
        String id = registry.champion().map(ChampionAlias::modelId)
                .orElseThrow(() -> new NotFoundException("no champion yet: no model has passed the promotion gate"));
        return get(id);
    }

    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public ModelDetail get(@PathParam("id") String id) {
        return detail(Ids.modelId(id), registry.champion().map(ChampionAlias::modelId).orElse(null))
                .orElseThrow(() -> new NotFoundException("no model " + id));
    }

    private Optional<ModelDetail> detail(String id, String championId) {
        return registry.manifest(id).map(m -> new ModelDetail(m,
                evaluator.find(ObjectKeys.evaluationId(id)).orElse(null),
                registry.decision(id).orElse(null), id.equals(championId)));
    }
}
