package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.client.KafkaEndpoint;
import dev.mnistpipeline.stack.Infrastructure;
import dev.mnistpipeline.stack.StorageKey;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.registry.RegisteredModels;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.storage.StorageException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Base64;
import java.util.Set;

/**
 * What the secure stack refuses, once the whole pipeline has run on it with each service's own credentials (which
 * proves the grants are enough): a client without credentials or with a wrong password, a service writing a topic it
 * does not own or a key outside its prefixes, and the samples publisher reading model topics.
 */
final class LeastPrivilegeScenario {
    private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(10);

    private LeastPrivilegeScenario() {
    }

    static void run(Infrastructure infra, String modelId) throws Exception {
        clientsWithoutCredentialsAreRefused(infra);
        aServiceCannotWriteATopicItDoesNotOwn(infra);
        theSamplesPublisherCannotReadModels(infra);
        theInferenceClientAsksAndReadsAnswersOnly(infra);
        aServiceCannotTouchKeysOutsideItsPrefixes(infra, modelId);
    }

    /** Kafka inference with no super user: the inference client sends a request and reads its answer, and no more. */
    private static void theInferenceClientAsksAndReadsAnswersOnly(Infrastructure infra) throws Exception {
        KafkaEndpoint client = infra.kafka(ServiceAccess.INFERENCE_CLIENT);
        Properties p = client.properties();
        p.putAll(withTimeouts(client));
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        String request = dev.mnistpipeline.common.json.Json.write(Map.of("schemaVersion", 1, "requestId", "least-privilege-1",
                "pixels", Base64.getEncoder().encodeToString(new byte[dev.mnistpipeline.common.data.Idx.PIXELS])));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(Topics.INFERENCE_REQUESTS, "least-privilege-1", request)).get(30, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "x", "{}")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
        Properties c = client.properties();
        c.put("key.deserializer", StringDeserializer.class.getName());
        c.put("value.deserializer", StringDeserializer.class.getName());
        c.put("group.id", "inference-client-least-privilege");
        c.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(Topics.INFERENCE_RESULTS));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            boolean answered = false;
            while (!answered && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    answered |= "least-privilege-1".equals(r.key());
                }
            }
            assertTrue(answered, "the inference client read the answer to its request");
        }
        c.put("group.id", "inference-client-other");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(new TopicPartition(Topics.MODEL_TRAINED, 0)));
            assertThrows(TopicAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)), "the inference client read model.trained");
        }
    }

    private static void clientsWithoutCredentialsAreRefused(Infrastructure infra) throws Exception {
        // No SASL at all: the broker never completes the handshake, so nothing is listed.
        try (Admin anonymous = Admin.create(withTimeouts(KafkaEndpoint.plaintext(infra.bootstrapServers())))) {
            assertThrows(Exception.class, () -> anonymous.listTopics().names().get(REFUSAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                    "a client without credentials listed topics");
        }
        // The right user with a wrong password: refused by name.
        KafkaEndpoint wrongPassword = KafkaEndpoint.sasl(infra.bootstrapServers(), KafkaEndpoint.SCRAM,
                ServiceAccess.INGEST, "not-the-password");
        try (Admin impostor = Admin.create(withTimeouts(wrongPassword))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> impostor.listTopics().names().get(REFUSAL_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    private static void aServiceCannotWriteATopicItDoesNotOwn(Infrastructure infra) {
        // The ingest service announcing a champion would be a takeover of serving.
        Properties p = infra.kafka(ServiceAccess.INGEST).properties();
        p.putAll(withTimeouts(infra.kafka(ServiceAccess.INGEST)));
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(Topics.MODEL_PROMOTED, "forged", "{}")).get(30, TimeUnit.SECONDS));
            assertInstanceOf(TopicAuthorizationException.class, e.getCause());
        }
    }

    private static void theSamplesPublisherCannotReadModels(Infrastructure infra) {
        Properties p = infra.kafka(ServiceAccess.SAMPLES_PUBLISHER).properties();
        p.put("key.deserializer", StringDeserializer.class.getName());
        p.put("value.deserializer", StringDeserializer.class.getName());
        for (String topic : List.of(Topics.MODEL_TRAINED, Topics.MODEL_PROMOTED, Topics.EVALUATION_COMPLETED)) {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
                consumer.assign(List.of(new TopicPartition(topic, 0)));
                consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
                TopicAuthorizationException e = assertThrows(TopicAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)),
                        "the samples publisher read " + topic);
                assertEquals(Set.of(topic), e.unauthorizedTopics());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> infra.storageKey(ServiceAccess.SAMPLES_PUBLISHER),
                "the samples publisher has no storage key at all");
    }

    private static void aServiceCannotTouchKeysOutsideItsPrefixes(Infrastructure infra, String modelId) {
        String manifest = ObjectKeys.modelManifest(modelId);
        try (ObjectStore evaluator = storeOf(infra, ServiceAccess.EVALUATOR); ObjectStore ingest = storeOf(infra, ServiceAccess.INGEST)) {
            assertTrue(evaluator.exists(manifest), "the evaluator reads models (and the model is there)");
            assertDenied(() -> ingest.get(manifest), "the ingest service read a model");
            assertDenied(() -> ingest.putText(ObjectKeys.alias(RegisteredModels.DEFAULT, RegisteredModels.CHAMPION), "{}"), "the ingest service replaced the champion");
            assertDenied(() -> evaluator.putText(ObjectKeys.rawBlob("0".repeat(64)), "x"), "the evaluator wrote raw data");
        }
    }

    private static void assertDenied(Runnable call, String message) {
        StorageException e = assertThrows(StorageException.class, call::run, message);
        assertTrue(e.getMessage().contains("AccessDenied"), e.getMessage());
    }

    private static ObjectStore storeOf(Infrastructure infra, String principal) {
        StorageKey key = infra.storageKey(principal);
        return new ObjectStore(new StorageConfig(infra.s3Endpoint(), key.accessKey(), key.secretKey(), StorageConfig.DEFAULT_BUCKET));
    }

    private static Map<String, Object> withTimeouts(KafkaEndpoint kafka) {
        Map<String, Object> config = kafka.config();
        config.put("request.timeout.ms", "5000");
        config.put("default.api.timeout.ms", "8000");
        config.put("max.block.ms", "20000");
        config.put("delivery.timeout.ms", "25000");
        return config;
    }
}
