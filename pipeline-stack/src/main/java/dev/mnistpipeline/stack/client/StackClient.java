package dev.mnistpipeline.stack.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.quarkus.Roles;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A running pipeline as the CLI reaches it: the services' URLs, an API token per role, and the broker (as admin
 * and as the samples publisher). Settings come from, later ones winning:
 * <ol>
 *   <li>{@code .pipeline/up/stack.env}, which {@code ./pipeline up} writes, or a context file
 *       {@code .pipeline/contexts/<name>.env} of the same form for a cluster ({@code --context name});</li>
 *   <li>the environment: {@code PIPELINE_INGEST_URL}, {@code PIPELINE_TRAINER_URL}, {@code PIPELINE_EVALUATOR_URL},
 *       {@code PIPELINE_TOKEN_<ROLE>}, {@code KAFKA_BOOTSTRAP_SERVERS} and {@code PIPELINE_KAFKA_*} (admin),
 *       {@code SAMPLES_KAFKA_BOOTSTRAP_SERVERS} and {@code SAMPLES_PIPELINE_KAFKA_*} (publisher).</li>
 * </ol>
 * Every request carries the least role it needs; an absent token is left out and the service answers 401.
 */
public final class StackClient {
    public static final String INGEST = "ingest";
    public static final String TRAINER = "trainer";
    public static final String EVALUATOR = "evaluator";
    private static final Map<String, String> UP_URLS = Map.of(INGEST, "http://127.0.0.1:8081",
            TRAINER, "http://127.0.0.1:8083", EVALUATOR, "http://127.0.0.1:8084");

    private final Map<String, String> settings;
    private final String source;

    StackClient(Map<String, String> settings, String source) {
        this.settings = Map.copyOf(settings);
        this.source = source;
    }

    /** The stack of {@code context} (null: the one {@code up} started), overridden by the environment. */
    public static StackClient connect(Path stateDir, String context) throws IOException {
        Path file = context == null ? stateDir.resolve("up/stack.env") : stateDir.resolve("contexts").resolve(context + ".env");
        if (context != null && !Files.exists(file)) {
            throw new IllegalArgumentException("no context '" + context + "': create " + file
                    + " with PIPELINE_*_URL, PIPELINE_TOKEN_* and KAFKA_* settings (see README, \"CLI\")");
        }
        Map<String, String> settings = new HashMap<>(Files.exists(file) ? readEnvFile(file) : Map.of());
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("PIPELINE_") || k.startsWith("KAFKA_") || k.startsWith("SAMPLES_")) {
                settings.put(k, v);
            }
        });
        return new StackClient(settings, Files.exists(file) ? file.toString() : "the environment");
    }

    /** {@code NAME=value} lines; a value in single quotes (as {@code up} writes those with spaces) loses them. */
    public static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                String value = line.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                    value = value.substring(1, value.length() - 1);
                }
                env.put(line.substring(0, eq).trim(), value);
            }
        }
        return env;
    }

    /** A {@code NAME=value} line that a shell can source too: values with spaces or quotes in single quotes. */
    public static String envLine(String name, String value) {
        if (value.contains("'")) {
            throw new IllegalArgumentException(name + " holds a single quote; stack.env cannot carry it");
        }
        return name + "=" + (value.matches("[A-Za-z0-9_.:/,@+=-]*") ? value : "'" + value + "'");
    }

    /** Where the settings came from, for error messages. */
    public String source() {
        return source;
    }

    public String url(String service) {
        String url = settings.getOrDefault("PIPELINE_" + service.toUpperCase(Locale.ROOT) + "_URL", UP_URLS.get(service));
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The broker as its admin: watching every topic, DLQ replay. */
    public KafkaEndpoint adminKafka() {
        return KafkaEndpoint.fromEnv(kafkaSettings(""));
    }

    /** The broker as the samples publisher (may write {@code samples.submitted} only); the admin's if none is set. */
    public KafkaEndpoint publisherKafka() {
        return settings.containsKey("SAMPLES_KAFKA_BOOTSTRAP_SERVERS") ? KafkaEndpoint.fromEnv(kafkaSettings("SAMPLES_")) : adminKafka();
    }

    private Map<String, String> kafkaSettings(String prefix) {
        Map<String, String> env = new HashMap<>();
        settings.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                env.put(k.substring(prefix.length()), v);
            }
        });
        if (!env.containsKey("KAFKA_BOOTSTRAP_SERVERS")) {
            throw new IllegalArgumentException("no broker in " + source + ": start one with ./pipeline up, or set "
                    + prefix + "KAFKA_BOOTSTRAP_SERVERS");
        }
        return env;
    }

    /** GET as a viewer; fails with the service's reason on any status but 2xx. */
    public JsonNode get(String service, String path) {
        return success(send(request(service, path, Roles.VIEWER).GET().build()));
    }

    /** A GET that may answer 404 (empty then). */
    public Optional<JsonNode> find(String service, String path) {
        Http.Reply r = send(request(service, path, Roles.VIEWER).GET().build());
        return r.status() == 404 ? Optional.empty() : Optional.of(success(r));
    }

    /** POST of JSON with the given role's token. */
    public JsonNode postJson(String service, String path, String role, Object body) {
        return sendJson("POST", service, path, role, body);
    }

    /** PUT of JSON with the given role's token. */
    public JsonNode putJson(String service, String path, String role, Object body) {
        return sendJson("PUT", service, path, role, body);
    }

    /** PATCH of JSON with the given role's token. */
    public JsonNode patchJson(String service, String path, String role, Object body) {
        return sendJson("PATCH", service, path, role, body);
    }

    private JsonNode sendJson(String method, String service, String path, String role, Object body) {
        return success(send(request(service, path, role).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body))).build()));
    }

    /** DELETE with the given role's token. */
    public JsonNode delete(String service, String path, String role) {
        return success(send(request(service, path, role).DELETE().build()));
    }

    /** POST of raw bytes (an image to predict). */
    public JsonNode postBytes(String service, String path, String role, String contentType, byte[] body) {
        return success(send(request(service, path, role).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()));
    }

    /**
     * The body of a 2xx answer; otherwise the service's JSON reason: a 400 or 413 as bad usage (exit 2), anything
     * else as a failure (exit 1).
     */
    private static JsonNode success(Http.Reply r) {
        if (r.status() / 100 == 2) {
            return r.body() == null || r.body().isBlank() ? Json.MAPPER.createObjectNode() : Json.tree(r.body()); // 204: none
        }
        String reason;
        try {
            reason = Json.tree(r.body()).path("error").asText(r.body());
        } catch (RuntimeException e) {
            reason = r.body();
        }
        String message = "HTTP " + r.status() + ": " + reason;
        throw r.status() == 400 || r.status() == 413 ? new IllegalArgumentException(message) : new IllegalStateException(message);
    }

    /** A request to {@code service} carrying the token of {@code role}, when one is known. */
    public HttpRequest.Builder request(String service, String path, String role) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(service) + path)).timeout(Duration.ofMinutes(2));
        String token = settings.get("PIPELINE_TOKEN_" + role.toUpperCase(Locale.ROOT));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Http.Reply send(HttpRequest request) {
        Http.Reply r;
        try {
            r = Http.sendAnonymous(request);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("cannot reach " + request.uri() + " (is the stack up? settings from " + source + "): "
                    + (e.getCause() == null ? e.getMessage() : e.getCause()), e);
        }
        if (r.status() == 401) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered 401: no valid token for it in "
                    + source + " (PIPELINE_TOKEN_<ROLE>): " + r.body());
        }
        return r;
    }
}
