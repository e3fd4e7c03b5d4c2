package dev.mnistpipeline.ingest.api;

import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.ingest.domain.DatasetIngestor;
import dev.mnistpipeline.ingest.domain.DatasetSources;
import dev.mnistpipeline.ingest.domain.IngestSlots;
import dev.mnistpipeline.ingest.domain.RawDataset;
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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/** Ingest datasets: from a source ({@code mnist}, a directory, a URL) or as an upload of the four IDX files. */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    /** {@code source}: {@code mnist}, a directory path, or an http(s) base URL; {@code name} defaults to {@code mnist}. */
    public record IngestRequest(String source, String name) {
    }

    public record IngestResponse(String datasetId, String name, boolean created, String parentId, int trainCount,
                                 int testCount) {
        static IngestResponse of(DatasetIngestor.Result r) {
            DatasetManifest m = r.manifest();
            return new IngestResponse(m.datasetId(), m.name(), r.created(), m.parentId(), m.trainCount(), m.testCount());
        }
    }

    private final DatasetIngestor ingestor;
    private final DatasetSources sources;
    private final IngestSlots slots;

    public DatasetResource(DatasetIngestor ingestor, DatasetSources sources, IngestSlots slots) {
        this.ingestor = ingestor;
        this.sources = sources;
        this.slots = slots;
    }

    @Operation(summary = "Ingest a base dataset version from mnist, an allowed folder or an https URL")
    @APIResponseSchema(value = IngestResponse.class, responseCode = "201")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response ingest(IngestRequest request) {
        if (request == null) {
            throw new InvalidDataException("body required: {\"source\": \"mnist\"}");
        }
        String name = nameOrDefault(request.name());
        try (IngestSlots.Slot slot = slots.acquire()) {
            RawDataset raw = sources.fetch(request.source());
            return respond(ingestor.ingest(name, request.source(), raw));
        }
    }

    /** Multipart upload with parts {@code train-images}, {@code train-labels}, {@code test-images}, {@code test-labels} (raw or gzip). */
    @Operation(summary = "Ingest the four IDX files as a multipart upload")
    @APIResponseSchema(value = IngestResponse.class, responseCode = "201")
    @RolesAllowed(Roles.OPERATOR)
    @POST
    @Path("/upload")
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@RestForm("train-images") FileUpload trainImages, @RestForm("train-labels") FileUpload trainLabels,
                           @RestForm("test-images") FileUpload testImages, @RestForm("test-labels") FileUpload testLabels,
                           @RestForm("name") String name) {
        String dataset = nameOrDefault(name);
        try (IngestSlots.Slot slot = slots.acquire()) {
            RawDataset raw = new RawDataset(read(trainImages, "train-images"), read(trainLabels, "train-labels"),
                    read(testImages, "test-images"), read(testLabels, "test-labels"));
            return respond(ingestor.ingest(dataset, "upload", raw));
        }
    }

    @Operation(summary = "Every dataset version with its parts and lineage")
    @RolesAllowed(Roles.VIEWER)
    @GET
    public List<DatasetManifest> list() {
        return ingestor.list();
    }

    @Operation(summary = "One dataset version")
    @RolesAllowed(Roles.VIEWER)
    @GET
    @Path("/{id}")
    public DatasetManifest get(@PathParam("id") String id) {
        return ingestor.find(Ids.datasetId(id)).orElseThrow(() -> new NotFoundException("no dataset " + id));
    }

    private static Response respond(DatasetIngestor.Result result) {
        return Response.status(result.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(IngestResponse.of(result)).build();
    }

    private static String nameOrDefault(String name) {
        if (name == null || name.isBlank()) {
            return "mnist";
        }
        return Ids.datasetName(name);
    }

    private static byte[] read(FileUpload upload, String part) {
        if (upload == null) {
            throw new InvalidDataException("multipart part '" + part + "' is missing");
        }
        try {
            return Files.readAllBytes(upload.uploadedFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
