package dev.mnistpipeline.evaluator.api;

import dev.mnistpipeline.common.events.GateDecision;
import dev.mnistpipeline.common.events.GateThresholds;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Callers;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.registry.ChampionAlias;
import dev.mnistpipeline.common.events.ChampionChange;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.evaluator.domain.ModelEvaluator;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import dev.mnistpipeline.evaluator.domain.PromotionService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import dev.mnistpipeline.common.registry.RegisteredModels;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Instant;

/**
 * The model registry: every version with lineage, hyperparameters, training history, evaluation and gate decision,
 * and the registered model it belongs to; a name's champion with the history of its changes ({@code ?name=},
 * default {@code mnist}); manual promotion and rollback. {@code /registered-models} has the names and their aliases.
 */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    private final ModelRegistry registry;
    private final ModelEvaluator evaluator;
    private final PromotionService promotions;

    public ModelResource(ModelRegistry registry, ModelEvaluator evaluator, PromotionService promotions) {
        this.registry = registry;
        this.evaluator = evaluator;
        this.promotions = promotions;
    }

    /** One row of {@code GET /models}. */
    public record ModelSummary(String modelId, String registeredModel, String architecture, String datasetId, String baseModelId,
                               Double accuracy, String decision, boolean champion, Instant createdAt) {
    }

    /** {@code GET /models/{id}}: everything the registry knows about a version. */
    public record ModelDetail(String registeredModel, ModelManifest manifest, EvaluationReport evaluation, GateDecision decision,
                              boolean champion) {
    }

    /**
     * @param name     the registered model whose champion, thresholds and history these are
     * @param models   every version, of every name
     * @param history  every change of the name's champion, newest first (gate, manual promotion, rollback)
     * @param names    every registered model that has a champion or an alias
     */
    public record Registry(String name, ChampionAlias champion, GateThresholds thresholds, List<ModelSummary> models,
                           List<ChampionChange> history, List<String> names) {
    }

    /** Body of a manual promotion or rollback: why, in words (recorded and shown in the decision feed). */
    public record ChangeRequest(String reason) {
        static final int MAX_REASON = 500;

        public String checkedReason() {
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("give a reason: {\"reason\": \"...\"} (it is recorded with who and when)");
            }
            if (reason.length() > MAX_REASON || reason.chars().anyMatch(c -> Character.isISOControl(c))) {
                throw new IllegalArgumentException("the reason must be one line of at most " + MAX_REASON + " characters");
            }
            return reason.strip();
        }
    }

    @Operation(summary = "The registry: every model version; a registered model's (?name=, default mnist) champion, "
            + "gate thresholds and history of the champion")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public Registry list(@QueryParam("name") String name) {
        String model = named(name);
        Optional<ChampionAlias> champion = registry.champion(model);
        Map<String, Optional<String>> champions = new HashMap<>(); // one read per name, not per version
        List<ModelSummary> models = registry.modelIds().stream().map(id -> detail(id, champions)).flatMap(Optional::stream)
                .map(d -> new ModelSummary(d.manifest().modelId(), d.registeredModel(), d.manifest().hyperparameters().architecture(),
                        d.manifest().datasetId(), d.manifest().baseModelId(),
                        d.evaluation() == null ? null : d.evaluation().accuracy(),
                        d.decision() == null ? "pending" : d.decision().promoted() ? "promoted"
                                : d.decision().rollout() != null ? "rolled out" : "rejected",
                        d.champion(), d.manifest().createdAt()))
                .toList();
        return new Registry(model, champion.orElse(null), registry.thresholds(model), models, registry.history(model),
                List.copyOf(registry.names()));
    }

    /**
     * Makes an evaluated model the champion by hand, past the gate, through the same compare-and-swap; recorded
     * with who and why and announced on {@code model.promoted}, so every replica serves it. 409 when it already
     * serves, has no evaluation, or the champion changed meanwhile.
     */
    @Operation(summary = "Make an evaluated model the champion by hand, with a reason")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/{id}/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public ChampionChange promote(@PathParam("id") String id, ChangeRequest request, @Context SecurityContext caller) {
        String modelId = Ids.modelId(id);
        String reason = checked(request);
        registry.manifest(modelId).orElseThrow(() -> new NotFoundException("no model " + modelId));
        return promotions.promote(modelId, who(caller), reason);
    }

    /** Back to a name's champion before the current one (twice: two back). 409 when there is none. */
    @Operation(summary = "Return a registered model (?name=, default mnist) to its champion before the current one, with a reason")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/champion/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public ChampionChange rollback(@QueryParam("name") String name, ChangeRequest request, @Context SecurityContext caller) {
        return promotions.rollback(named(name), who(caller), checked(request));
    }

    /** A requested registered model name, checked; the default for none. */
    static String named(String name) {
        return Ids.registeredModel(RegisteredModels.orDefault(name));
    }

    private static String checked(ChangeRequest request) {
        return (request == null ? new ChangeRequest(null) : request).checkedReason();
    }

    private static String who(SecurityContext caller) {
        return Callers.name(caller);
    }

    @Operation(summary = "A registered model's (?name=, default mnist) champion with its evaluation and gate decision")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/champion")
    public ModelDetail champion(@QueryParam("name") String name) {
        String model = named(name);
        String id = registry.champion(model).map(ChampionAlias::modelId)
                .orElseThrow(() -> new NotFoundException("no champion of " + model + " yet: no model of it has passed the promotion gate"));
        return get(id);
    }

    @Operation(summary = "One model version with its evaluation and gate decision")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public ModelDetail get(@PathParam("id") String id) {
        return detail(Ids.modelId(id), new HashMap<>()).orElseThrow(() -> new NotFoundException("no model " + id));
    }

    private Optional<ModelDetail> detail(String id, Map<String, Optional<String>> champions) {
        return registry.manifest(id).map(m -> {
            String name = registry.nameOf(m);
            boolean champion = champions.computeIfAbsent(name, n -> registry.champion(n).map(ChampionAlias::modelId))
                    .map(id::equals).orElse(false);
            return new ModelDetail(name, m, evaluator.find(ObjectKeys.evaluationId(id)).orElse(null),
                    registry.decision(id).orElse(null), champion);
        });
    }
}
