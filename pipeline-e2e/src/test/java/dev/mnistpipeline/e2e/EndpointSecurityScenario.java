package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.quarkus.Roles;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Map;

/**
 * Every endpoint of every service, from one table: without a token it answers 401 with a JSON reason, with a bad
 * token 401, with the token of the role just below the one it needs 403 with a JSON reason, and with the right
 * role it lets the call through; a health endpoint (role null) answers without a token. The table is checked against
 * the services' sources: an endpoint that is added
 * without a row here (and so without a decided role) fails this scenario.
 */
final class EndpointSecurityScenario {
    /** One endpoint: the least role it needs, and a request that the right role may send. */
    record Endpoint(String service, String method, String path, String role, String contentType, byte[] body) {
        String template() {
            return method + " " + path.replaceAll("/(eval|model|run|ds)-[^/]+|/no-such-[^/]+|/\\d+\\.png|(?<=/v2/models|/registered-models|/rollouts)/mnist", "/{}");
        }
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EndpointSecurityScenario() {
    }

    static List<Endpoint> table(String evaluationId, String modelId, String datasetId, byte[] digit) {
        byte[] ingest = Json.write(Map.of("source", EndToEndScenario.SUBSET.toString())).getBytes();
        return List.of(
                new Endpoint("ingest-service", "POST", "/datasets", Roles.OPERATOR, "application/json", ingest),
                new Endpoint("ingest-service", "POST", "/datasets/upload", Roles.OPERATOR, "multipart/form-data; boundary=x", "--x--\r\n".getBytes()),
                new Endpoint("ingest-service", "GET", "/datasets", Roles.VIEWER, null, null),
                new Endpoint("ingest-service", "GET", "/datasets/" + datasetId, Roles.VIEWER, null, null),
                new Endpoint("trainer-service", "POST", "/trainings", Roles.OPERATOR, "application/json", "{\"runId\":\"\"}".getBytes()),
                new Endpoint("trainer-service", "GET", "/trainings/run-no-such-run", Roles.VIEWER, null, null),
                new Endpoint("trainer-service", "DELETE", "/trainings/run-never-requested", Roles.OPERATOR, "application/json", "{}".getBytes()),
                // an empty space: 400 for the operator, so walking the table starts no sweep
                new Endpoint("trainer-service", "POST", "/sweeps", Roles.OPERATOR, "application/json", "{\"space\":{}}".getBytes()),
                new Endpoint("trainer-service", "GET", "/sweeps", Roles.VIEWER, null, null),
                new Endpoint("trainer-service", "GET", "/sweeps/no-such-sweep", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/dashboard/sweeps", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "POST", "/predict", Roles.PREDICTOR, "application/octet-stream", digit),
                new Endpoint("evaluator-service", "POST", "/predict", Roles.PREDICTOR, "multipart/form-data; boundary=x", "--x--\r\n".getBytes()),
                new Endpoint("evaluator-service", "GET", "/runs", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/runs/run-no-such-run", Roles.VIEWER, null, null),
                // nothing to change: 400 for the operator, so walking the table tags nothing
                new Endpoint("evaluator-service", "PATCH", "/runs/run-no-such-run", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "DELETE", "/runs/run-no-such-run", Roles.OPERATOR, null, null),
                new Endpoint("evaluator-service", "GET", "/dashboard/events", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/evaluations", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/evaluations/" + evaluationId, Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/evaluations/" + evaluationId + "/gallery/0.png", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/models", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/models/champion", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/models/" + modelId, Roles.VIEWER, null, null),
                // without a reason: 400 for the operator, so walking the table changes no champion
                new Endpoint("evaluator-service", "POST", "/models/" + modelId + "/promote", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "POST", "/models/champion/rollback", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "GET", "/gate/suites", Roles.VIEWER, null, null),
                // without a dataset: 400 for the operator, so walking the table registers no suite
                new Endpoint("evaluator-service", "PUT", "/gate/suites/no-such-suite", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "DELETE", "/gate/suites/no-such-suite", Roles.OPERATOR, null, null),
                // the Open Inference Protocol: health open (role null) like /q/health, the rest as /predict and GETs
                new Endpoint("evaluator-service", "GET", "/v2/health/live", null, null, null),
                new Endpoint("evaluator-service", "GET", "/v2/health/ready", null, null, null),
                new Endpoint("evaluator-service", "GET", "/v2", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/v2/models/mnist", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/v2/models/mnist/ready", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/v2/models/mnist/versions/" + modelId, Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/v2/models/mnist/versions/" + modelId + "/ready", Roles.VIEWER, null, null),
                // no inputs: 400 for the predictor
                new Endpoint("evaluator-service", "POST", "/v2/models/mnist/infer", Roles.PREDICTOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "POST", "/v2/models/mnist/versions/" + modelId + "/infer", Roles.PREDICTOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "GET", "/registered-models", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/registered-models/mnist", Roles.VIEWER, null, null),
                // without a reason: 400 for the operator, so walking the table sets and removes no alias
                new Endpoint("evaluator-service", "PUT", "/registered-models/mnist/aliases/no-such-alias", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "DELETE", "/registered-models/mnist/aliases/no-such-alias", Roles.OPERATOR, null, null),
                // without a challenger: 400 for the operator, so walking the table starts no rollout
                new Endpoint("evaluator-service", "POST", "/rollouts", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "GET", "/rollouts", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "GET", "/rollouts/mnist", Roles.VIEWER, null, null),
                new Endpoint("evaluator-service", "POST", "/rollouts/mnist/promote", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "POST", "/rollouts/mnist/abort", Roles.OPERATOR, "application/json", "{}".getBytes()),
                new Endpoint("evaluator-service", "GET", "/monitoring", Roles.VIEWER, null, null));
    }

    static void run(ServiceStack stack, List<Endpoint> table) throws Exception {
        assertTableCoversEverySourceEndpoint(table);
        for (Endpoint e : table) {
            String what = e.service() + " " + e.method() + " " + e.path();
            if (e.role() == null) {
                int open = send(stack, e, null).statusCode();
                assertTrue(open == 200 || open == 400, what + " is open for probes: " + open);
                continue;
            }
            HttpResponse<InputStream> anonymous = send(stack, e, null);
            assertEquals(401, anonymous.statusCode(), what + " without a token");
            assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), what);
            assertTrue(Json.tree(body(anonymous)).path("error").asText().contains("Authorization: Bearer"), what);
            HttpResponse<InputStream> forged = send(stack, e, "mp_operator_forged");
            assertEquals(401, forged.statusCode(), what + " with an unknown token");
            assertTrue(Json.tree(body(forged)).path("error").asText().contains("unknown or revoked"), what);
            int level = Roles.ALL.indexOf(e.role());
            if (level > 0) {
                HttpResponse<InputStream> below = send(stack, e, stack.tokens().token(Roles.ALL.get(level - 1)));
                assertEquals(403, below.statusCode(), what + " with a " + Roles.ALL.get(level - 1) + " token");
                assertTrue(Json.tree(body(below)).path("error").asText().contains("role"), what);
            }
            HttpResponse<InputStream> allowed = send(stack, e, stack.tokens().token(e.role()));
            int status = allowed.statusCode();
            String reply = body(allowed);
            assertTrue(status != 401 && status != 403 && status < 500, what + " with a " + e.role() + " token: " + status + " " + reply);
        }
        for (String service : List.of("ingest-service", "preprocess-service", "trainer-service", "evaluator-service")) {
            Endpoint metrics = new Endpoint(service, "GET", "/q/metrics", Roles.VIEWER, null, null);
            assertEquals(401, send(stack, metrics, null).statusCode(), service + " metrics without a token");
            HttpResponse<InputStream> scraped = send(stack, metrics, stack.tokens().token(Roles.VIEWER));
            assertEquals(200, scraped.statusCode(), service + " metrics with a viewer token");
            body(scraped);
            assertEquals(200, send(stack, new Endpoint(service, "GET", "/q/health/ready", null, null, null), null).statusCode(),
                    service + ": health stays open for probes");
        }
    }

    /** Every {@code @GET/@POST/...} in the services' {@code api} packages has a row, and none lacks a role. */
    private static void assertTableCoversEverySourceEndpoint(List<Endpoint> table) throws IOException {
        Set<String> inSources = new TreeSet<>();
        Pattern classPath = Pattern.compile("^@Path\\(\"([^\"]*)\"\\)", Pattern.MULTILINE);
        Pattern method = Pattern.compile("((?:\\s*@\\w+(?:\\([^)]*\\))?\\n)+)\\s*public [^(]+\\(");
        for (String service : List.of("ingest-service", "preprocess-service", "trainer-service", "evaluator-service")) {
            Path sources = Path.of("..", service, "src/main/java");
            List<Path> files;
            try (Stream<Path> walk = Files.walk(sources)) {
                files = walk.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path file : files) {
                String source = Files.readString(file);
                Matcher base = classPath.matcher(source);
                if (!base.find()) {
                    continue;
                }
                Matcher m = method.matcher(source);
                while (m.find()) {
                    String annotations = m.group(1);
                    Matcher verb = Pattern.compile("@(GET|POST|PUT|DELETE|PATCH)\\b").matcher(annotations);
                    if (!verb.find()) {
                        continue;
                    }
                    Matcher sub = Pattern.compile("@Path\\(\"([^\"]*)\"\\)").matcher(annotations);
                    String path = base.group(1) + (sub.find() ? sub.group(1) : "");
                    String endpoint = service + " " + verb.group(1) + " " + path.replaceAll("\\{[^}]+}(\\.png)?", "{}");
                    // Only health may be open (probes); every other endpoint names its least role.
                    assertTrue(annotations.contains("@RolesAllowed") || (annotations.contains("@PermitAll") && path.contains("/health/")),
                            endpoint + " in " + file + " names no role");
                    inSources.add(endpoint);
                }
            }
        }
        Set<String> inTable = new TreeSet<>();
        table.forEach(e -> inTable.add(e.service() + " " + e.template()));
        assertEquals(inSources, inTable, "every endpoint in the sources has a row in the security table");
    }

    private static HttpResponse<InputStream> send(ServiceStack stack, Endpoint e, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.url(e.service()) + e.path())).timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (e.contentType() != null) {
            request.header("Content-Type", e.contentType());
        }
        request.method(e.method(), e.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(e.body()));
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The body, or what arrived of it within a moment for a stream that does not end (the event stream). */
    private static String body(HttpResponse<InputStream> response) throws IOException {
        try (InputStream in = response.body()) {
            if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
                return "";
            }
            return new String(in.readAllBytes());
        }
    }

}
