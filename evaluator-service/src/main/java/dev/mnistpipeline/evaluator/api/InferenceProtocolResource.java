package dev.mnistpipeline.evaluator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.data.Probabilities;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.evaluator.domain.PredictionService;
import dev.mnistpipeline.evaluator.domain.TensorImages;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.evaluator.domain.ModelRegistry;
import dev.mnistpipeline.evaluator.model.ServedModels;
import dev.mnistpipeline.evaluator.model.PredictionBatcher;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Open Inference Protocol (KServe v2, REST), beside {@code /predict}: a client written for KServe or Triton works
 * unchanged. Health is open (probes); metadata needs a viewer, inference a predictor, as {@code /predict}. Errors are
 * the protocol's error object, {@code {"error": "..."}}. A model's name is a registered model's ({@code mnist},
 * {@code fashion-mnist}, ...); its versions are model ids, or aliases ({@code champion}, {@code staging}, ...).
 * Without a version, the name's champion answers.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class InferenceProtocolResource {
    static final String PROBABILITIES = "probabilities";
    static final String LABEL = "label";
    private static final Set<String> OUTPUTS = Set.of(PROBABILITIES, LABEL);

    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    public record TensorMetadata(String name, String datatype, List<Long> shape) {
    }

    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
                                List<TensorMetadata> outputs) {
    }

    public record Live(boolean live) {
    }

    public record Ready(boolean ready) {
    }

    public record ModelReady(String name, boolean ready) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RequestInput(String name, List<Long> shape, String datatype, Map<String, Object> parameters, JsonNode data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RequestOutput(String name, Map<String, Object> parameters) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferRequest(String id, Map<String, Object> parameters, List<RequestInput> inputs, List<RequestOutput> outputs) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResponseOutput(String name, List<Long> shape, String datatype, Map<String, Object> parameters, Object data) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record InferResponse(@JsonProperty("model_name") String modelName, @JsonProperty("model_version") String modelVersion,
                                String id, Map<String, Object> parameters, List<ResponseOutput> outputs) {
    }

    private final PredictionService predictions;
    private final ServedModels models;
    private final ModelRegistry registry;
    private final int maxImages;

    public InferenceProtocolResource(PredictionService predictions, ServedModels models, ModelRegistry registry,
                                     @ConfigProperty(name = "pipeline.serving.max-images-per-request", defaultValue = "1024") int maxImages) {
        this.predictions = predictions;
        this.models = models;
        this.registry = registry;
        this.maxImages = maxImages;
    }

    @Operation(summary = "Server metadata, inference protocol")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public ServerMetadata server() {
        return new ServerMetadata("mnist-pipeline-evaluator", "0.1.0", List.of());
    }

    @Operation(summary = "Server liveness, inference protocol: open, for probes")
    @PermitAll
    @GET
    @Path("/health/live")
    public Live live() {
        return new Live(true);
    }

    @Operation(summary = "Server readiness, inference protocol: 200 when a model serves, 400 before; open, for probes")
    @APIResponseSchema(value = Ready.class, responseCode = "200")
    @PermitAll
    @GET
    @Path("/health/ready")
    public Response ready() {
        boolean ready = models.modelId().isPresent();
        return Response.status(ready ? 200 : 400).entity(new Ready(ready)).build();
    }

    @Operation(summary = "Model metadata, inference protocol: its versions, input and output tensors")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/models/{name}")
    public ModelMetadata model(@PathParam("name") String name) {
        return metadata(name, null);
    }

    @Operation(summary = "Model version metadata, inference protocol")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/models/{name}/versions/{version}")
    public ModelMetadata modelVersion(@PathParam("name") String name, @PathParam("version") String version) {
        return metadata(name, version);
    }

    @Operation(summary = "Model readiness, inference protocol: 200 when it serves, 400 when not yet")
    @APIResponseSchema(value = ModelReady.class, responseCode = "200")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/models/{name}/ready")
    public Response modelReady(@PathParam("name") String name) {
        return readiness(name, null);
    }

    @Operation(summary = "Model version readiness, inference protocol")
    @APIResponseSchema(value = ModelReady.class, responseCode = "200")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/models/{name}/versions/{version}/ready")
    public Response modelVersionReady(@PathParam("name") String name, @PathParam("version") String version) {
        return readiness(name, version);
    }

    @Operation(summary = "Inference, inference protocol: UINT8 or FP32 images, [N,28,28], [N,784] or [N,1,28,28]")
    @RolesAllowed(Roles.PREDICTOR)
    @POST
    @Path("/models/{name}/infer")
    @Consumes(MediaType.APPLICATION_JSON)
    public InferResponse infer(@PathParam("name") String name, InferRequest request) {
        return infer(name, null, request);
    }

    @Operation(summary = "Inference on one version, inference protocol")
    @RolesAllowed(Roles.PREDICTOR)
    @POST
    @Path("/models/{name}/versions/{version}/infer")
    @Consumes(MediaType.APPLICATION_JSON)
    public InferResponse inferVersion(@PathParam("name") String name, @PathParam("version") String version, InferRequest request) {
        return infer(name, version, request);
    }

    private InferResponse infer(String name, String version, InferRequest request) {
        String model = known(name);
        if (request == null || request.inputs() == null || request.inputs().size() != 1) {
            throw new InvalidDataException("inputs must hold exactly one tensor: the images, " + TensorImages.UINT8 + " or "
                    + TensorImages.FP32 + ", shape [N,28,28], [N,784] or [N,1,28,28]");
        }
        List<String> wanted = wantedOutputs(request.outputs());
        RequestInput input = request.inputs().get(0);
        List<byte[]> images = TensorImages.decode(input.datatype(), input.shape(), input.data(), maxImages);
        List<PredictionBatcher.Scored> scored = predictions.scoreAll(new PredictionService.Target(model, version), images);
        String served = scored.get(0).modelId();
        List<ResponseOutput> outputs = new ArrayList<>();
        long n = scored.size();
        for (String output : wanted) {
            if (output.equals(PROBABILITIES)) {
                List<Float> data = new ArrayList<>();
                scored.forEach(s -> {
                    for (float p : s.probabilities()) {
                        data.add(p);
                    }
                });
                outputs.add(new ResponseOutput(PROBABILITIES, List.of(n, (long) scored.get(0).probabilities().length), "FP32", null, data));
            } else {
                outputs.add(new ResponseOutput(LABEL, List.of(n), "INT64", null, scored.stream().map(s -> (long) Probabilities.argmax(s.probabilities(), 0, s.probabilities().length)).toList()));
            }
        }
        return new InferResponse(model, served, request.id(), null, outputs);
    }

    private static List<String> wantedOutputs(List<RequestOutput> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of(PROBABILITIES, LABEL);
        }
        List<String> names = new ArrayList<>();
        for (RequestOutput o : requested) {
            if (o == null || !OUTPUTS.contains(o.name())) {
                throw new InvalidDataException("unknown output " + (o == null ? null : o.name()) + ": " + PROBABILITIES + " or " + LABEL);
            }
            names.add(o.name());
        }
        return names;
    }

    private ModelMetadata metadata(String name, String version) {
        String model = known(name);
        List<String> versions;
        if (version != null) {
            versions = List.of(models.versionOf(model, version));
        } else {
            Set<String> named = new LinkedHashSet<>();
            registry.champion(model).ifPresent(c -> named.add(c.modelId()));
            registry.aliases(model).forEach(a -> named.add(a.modelId()));
            versions = List.copyOf(named);
        }
        return new ModelMetadata(model, versions, "tensorflow_savedmodel",
                List.of(new TensorMetadata("input", TensorImages.FP32, List.of(-1L, 28L, 28L))),
                List.of(new TensorMetadata(PROBABILITIES, "FP32", List.of(-1L, 10L)), new TensorMetadata(LABEL, "INT64", List.of(-1L))));
    }

    /** Ready when the version is loaded here (a version not loaded yet loads on its first request). */
    private Response readiness(String name, String version) {
        String model = known(name);
        boolean ready;
        try {
            ready = models.isLoaded(models.versionOf(model, version));
        } catch (ServedModels.NoChampionException e) {
            ready = false;
        }
        return Response.status(ready ? 200 : 400).entity(new ModelReady(model, ready)).build();
    }

    /**
     * The registered model; 404 for a name that has no champion or alias (nothing of it can serve), except the
     * default name, which is always there (without versions before its first champion).
     */
    private String known(String name) {
        String model;
        try {
            model = Ids.registeredModel(name);
        } catch (InvalidDataException e) {
            throw new NotFoundException("unknown model: " + e.getMessage());
        }
        if (!model.equals(models.defaultName()) && models.champion(model).isEmpty() && !registry.names().contains(model)) {
            throw new NotFoundException("unknown model '" + model + "': no version of it has been promoted or given an alias; "
                    + "known: " + String.join(", ", registry.names()));
        }
        return model;
    }

}
