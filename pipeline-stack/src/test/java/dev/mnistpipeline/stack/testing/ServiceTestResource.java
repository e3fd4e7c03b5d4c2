package dev.mnistpipeline.stack.testing;

import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.stack.ApiTokens;
import dev.mnistpipeline.stack.storage.TestS3;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A service's own {@code @QuarkusTest}: a real S3 server (a child process, {@link TestS3}), the service's Kafka
 * channels in memory (SmallRye's in-memory connector) and one API token per role. So a change to one service is
 * tested in seconds, without a broker; the end-to-end flow on Kafka stays in pipeline-e2e.
 *
 * <p>Arguments ({@code @WithTestResource(initArgs = ...)}): {@code incoming} and {@code outgoing}, the channels to
 * move into memory (comma-separated); any other argument is passed on as configuration.
 */
public class ServiceTestResource implements QuarkusTestResourceLifecycleManager {
    /**
     * The tokens every service test calls with; the service learns only their hashes, as in a real stack. Fixed,
     * not random: Quarkus loads a test and its resources through different class loaders, which must agree.
     */
    public static final ApiTokens TOKENS = new ApiTokens(Map.of(Roles.VIEWER, "test-viewer-token",
            Roles.PREDICTOR, "test-predictor-token", Roles.OPERATOR, "test-operator-token"));

    private final Map<String, String> config = new HashMap<>();
    private String[] incoming = new String[0];
    private String[] outgoing = new String[0];
    private TestS3 s3;

    public static String token(String role) {
        return TOKENS.token(role);
    }

    /** A request to the service under test, as a caller with {@code role}'s token. */
    public static RequestSpecification as(String role) {
        return RestAssured.given().header("Authorization", "Bearer " + token(role));
    }

    @Override
    public void init(Map<String, String> initArgs) {
        Map<String, String> rest = new HashMap<>(initArgs);
        incoming = channels(rest.remove("incoming"));
        outgoing = channels(rest.remove("outgoing"));
        config.putAll(rest);
    }

    @Override
    public Map<String, String> start() {
        try {
            s3 = new TestS3();
        } catch (Exception e) {
            throw new IllegalStateException("the test's S3 server did not start", e);
        }
        Map<String, String> properties = new HashMap<>(config);
        properties.put("pipeline.storage.endpoint", s3.endpoint());
        properties.put("pipeline.storage.access-key", s3.accessKey());
        properties.put("pipeline.storage.secret-key", s3.secretKey());
        TOKENS.hashesByRole().forEach((role, hash) -> properties.put("pipeline.auth.token-sha256." + role, hash));
        properties.putAll(InMemoryConnector.switchIncomingChannelsToInMemory(incoming));
        properties.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory(outgoing));
        // No broker here: Kafka's readiness check would report it missing for the whole test.
        properties.put("quarkus.kafka.health.enabled", "false");
        return properties;
    }

    @Override
    public void stop() {
        InMemoryConnector.clear();
        if (s3 != null) {
            s3.close();
        }
    }

    private static String[] channels(String list) {
        return list == null || list.isBlank() ? new String[0]
                : Arrays.stream(list.split(",")).map(String::trim).toArray(String[]::new);
    }
}
