package dev.mnistpipeline.stack.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where a Kafka client connects and how it authenticates: the bootstrap servers plus the client security settings
 * ({@code security.protocol}, {@code sasl.*}), empty for a plaintext broker. The settings hold a password: never
 * print them.
 */
public record KafkaEndpoint(String bootstrapServers, Map<String, String> security) {
    public static final String SCRAM = "SCRAM-SHA-512";
    public static final String PLAIN = "PLAIN";

    public KafkaEndpoint {
        security = Map.copyOf(security);
    }

    public static KafkaEndpoint plaintext(String bootstrapServers) {
        return new KafkaEndpoint(bootstrapServers, Map.of());
    }

    /** SASL over plaintext (the embedded broker on loopback; in a cluster, Strimzi adds TLS). */
    public static KafkaEndpoint sasl(String bootstrapServers, String mechanism, String user, String password) {
        String module = SCRAM.equals(mechanism) ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                : "org.apache.kafka.common.security.plain.PlainLoginModule";
        return new KafkaEndpoint(bootstrapServers, Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", mechanism,
                "sasl.jaas.config", module + " required username=\"" + user + "\" password=\"" + password + "\";"));
    }

    /** The settings named in {@link #env()} form, as {@code stack.env} holds them; plaintext when they are absent. */
    public static KafkaEndpoint fromEnv(Map<String, String> env) {
        String bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS");
        if (bootstrap == null) {
            throw new IllegalArgumentException("KAFKA_BOOTSTRAP_SERVERS is not set");
        }
        Map<String, String> security = new LinkedHashMap<>();
        ENV_NAMES.forEach((property, name) -> {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                security.put(property, value);
            }
        });
        return new KafkaEndpoint(bootstrap, security);
    }

    /** Client properties: bootstrap servers and security. */
    public Properties properties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.putAll(security);
        return p;
    }

    /** The same as {@link #properties()}, for APIs that take a map. */
    public Map<String, Object> config() {
        Map<String, Object> config = new LinkedHashMap<>();
        properties().forEach((k, v) -> config.put((String) k, v));
        return config;
    }

    /**
     * As environment variables: {@code KAFKA_BOOTSTRAP_SERVERS} and {@code PIPELINE_KAFKA_*}, which every service's
     * application.properties maps to its Kafka client settings.
     */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        ENV_NAMES.forEach((property, name) -> {
            if (security.containsKey(property)) {
                env.put(name, security.get(property));
            }
        });
        return env;
    }

    public boolean authenticated() {
        return security.containsKey("sasl.mechanism");
    }

    private static final Map<String, String> ENV_NAMES = Map.of(
            "security.protocol", "PIPELINE_KAFKA_SECURITY_PROTOCOL",
            "sasl.mechanism", "PIPELINE_KAFKA_SASL_MECHANISM",
            "sasl.jaas.config", "PIPELINE_KAFKA_SASL_JAAS_CONFIG");

    @Override
    public String toString() {
        return bootstrapServers + (authenticated() ? " (" + security.get("sasl.mechanism") + ")" : "");
    }
}
