package dev.mnistpipeline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.json.Json;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every service serves its OpenAPI document and Swagger UI, and the document describes every endpoint of the
 * security table: its method, the bearer scheme it needs, and the schema of what it accepts and answers.
 */
final class OpenApiScenario {
    private OpenApiScenario() {
    }

    static void run(ServiceStack stack, List<EndpointSecurityScenario.Endpoint> table) {
        List<String> problems = new ArrayList<>();
        for (String service : List.of("ingest-service", "preprocess-service", "trainer-service", "evaluator-service")) {
            Http.Reply doc = Http.sendAnonymous(HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/openapi?format=json")).build());
            assertEquals(200, doc.status(), service + " /q/openapi");
            JsonNode api = Json.tree(doc.body());
            assertEquals(service, api.path("info").path("title").asText());
            assertTrue(api.path("components").path("securitySchemes").toString().contains("bearer"), service + ": no bearer scheme");
            Http.Reply ui = Http.sendAnonymous(HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/swagger-ui/")).build());
            assertEquals(200, ui.status(), service + " /q/swagger-ui/");
            for (EndpointSecurityScenario.Endpoint e : table) {
                if (!e.service().equals(service)) {
                    continue;
                }
                JsonNode operation = operation(api, e);
                String what = service + " " + e.template();
                if (operation == null) {
                    problems.add(what + ": not in the document");
                    continue;
                }
                if (e.role() != null && operation.path("security").isEmpty()) {
                    problems.add(what + ": no security requirement");
                }
                boolean described = false;
                for (var codes = operation.path("responses").fields(); codes.hasNext(); ) {
                    var response = codes.next();
                    described |= response.getKey().startsWith("2") && !response.getValue().path("content").isEmpty();
                }
                if (!described) {
                    problems.add(what + ": no success response with a content schema");
                }
                if (operation.path("summary").asText().isEmpty()) {
                    problems.add(what + ": no summary");
                }
                if (e.body() != null && operation.path("requestBody").path("content").isEmpty()) {
                    problems.add(what + ": no request body schema");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The operation of the document whose path, with its parameters as {}, matches the endpoint's template. */
    private static JsonNode operation(JsonNode api, EndpointSecurityScenario.Endpoint e) {
        String template = e.template().substring(e.method().length() + 1);
        for (var it = api.path("paths").fields(); it.hasNext(); ) {
            var path = it.next();
            if (path.getKey().replaceAll("\\{[^}]+}(\\.png)?", "{}").equals(template)) {
                JsonNode op = path.getValue().path(e.method().toLowerCase(Locale.ROOT));
                if (!op.isMissingNode()) {
                    return op;
                }
            }
        }
        return null;
    }
}
