package dev.mnistpipeline.common.access;

import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Least privilege in one table: which topics and consumer groups each principal may use on the broker, and which
 * key prefixes of the bucket it may read or write. Everything that grants access is made from it, so the grants
 * cannot drift from each other or from {@link Topics}:
 * <ul>
 *   <li>the embedded stack's SCRAM users and ACLs ({@code ./pipeline up}, {@code stack/KafkaAccessControl}) and
 *       its per-service S3 keys ({@code stack/StorageAccessControl});</li>
 *   <li>deploy/'s Strimzi {@code KafkaUser}s and MinIO policies ({@code AccessManifests} writes them, a test checks
 *       the committed files).</li>
 * </ul>
 * Run records ({@code run-history/}) have two writers by design: the trainer writes a run's course, the evaluator its
 * evaluation, tags and note (both by compare-and-swap), and deletes one on an operator's request.
 * A consumer may also write its topics' dead-letter topics. Write access to a key prefix includes reading and
 * deleting there. Listing the bucket is allowed to every service (readiness probes the bucket with HEAD, which S3
 * authorises as a listing); reading what is listed still needs a read grant.
 *
 * @param principal     the Kafka user and S3 user name, equal to the service name (and its consumer group)
 * @param consumes      topics read in the principal's own consumer group, each with a dead-letter topic
 * @param observes      topics read without a dead-letter topic, in groups named {@code <groupPrefix>...}
 * @param groupPrefix   prefix of the per-instance observer groups ("" when none)
 * @param produces      topics written (dead-letter topics are added from {@code consumes})
 * @param readPrefixes  key prefixes read only
 * @param writePrefixes key prefixes written (and read, and deleted)
 */
public record ServiceAccess(String principal, List<String> consumes, List<String> observes, String groupPrefix,
                            List<String> produces, List<String> readPrefixes, List<String> writePrefixes) {

    public static final String INGEST = "ingest-service";
    public static final String PREPROCESS = "preprocess-service";
    public static final String TRAINER = "trainer-service";
    public static final String EVALUATOR = "evaluator-service";
    /** People and tools that publish labelled samples: {@code samples.submitted}, nothing else. */
    public static final String SAMPLES_PUBLISHER = "samples-publisher";
    /**
     * Applications that ask for predictions over Kafka: they write {@code inference.requests} and read
     * {@code inference.results} in groups named {@code inference-client-*}, nothing else, so Kafka inference needs no
     * super user.
     */
    public static final String INFERENCE_CLIENT = "inference-client";
    /** Topic creation, DLQ replay, the CLI's event watching: every topic (a super user of the embedded broker). */
    public static final String ADMIN = "admin";


    public static final List<ServiceAccess> ALL = List.of(
            new ServiceAccess(INGEST, List.of(Topics.SAMPLES_SUBMITTED), List.of(), "",
                    List.of(Topics.DATASET_INGESTED), List.of(), List.of("raw/", markers(INGEST))),
            new ServiceAccess(PREPROCESS, List.of(Topics.DATASET_INGESTED), List.of(), "",
                    List.of(Topics.DATASET_PREPARED), List.of("raw/"), List.of("prepared/", markers(PREPROCESS))),
            new ServiceAccess(TRAINER, List.of(Topics.TRAINING_REQUESTED, Topics.DATASET_PREPARED), List.of(), "",
                    List.of(Topics.TRAINING_REQUESTED, Topics.TRAINING_METRICS, Topics.MODEL_TRAINED),
                    // dataset manifests (not their images): a run's record names its dataset
                    List.of("prepared/", "registry/", ObjectKeys.DATASET_MANIFESTS_PREFIX),
                    List.of("models/", "checkpoints/", "leases/", "runs/", "sweeps/", ObjectKeys.RUN_HISTORY_PREFIX, markers(TRAINER))),
            new ServiceAccess(EVALUATOR, List.of(Topics.MODEL_TRAINED, Topics.INFERENCE_REQUESTS),
                    Stream.concat(Topics.DASHBOARD_FEED.stream(), Stream.of(Topics.SAMPLES_SUBMITTED)).toList(),
                    "evaluator-observer-",
                    List.of(Topics.EVALUATION_COMPLETED, Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED, Topics.MODEL_ROLLOUT,
                            Topics.INFERENCE_RESULTS),
                    List.of("raw/", "prepared/", "models/", "runs/", "sweeps/"), List.of("evaluations/", "registry/", ObjectKeys.RUN_HISTORY_PREFIX, markers(EVALUATOR), ObjectKeys.EXPIRING_MARKERS_PREFIX)),
            new ServiceAccess(SAMPLES_PUBLISHER, List.of(), List.of(), "", List.of(Topics.SAMPLES_SUBMITTED),
                    List.of(), List.of()),
            new ServiceAccess(INFERENCE_CLIENT, List.of(), List.of(Topics.INFERENCE_RESULTS), "inference-client-",
                    List.of(Topics.INFERENCE_REQUESTS), List.of(), List.of()));

    public ServiceAccess {
        consumes = List.copyOf(consumes);
        observes = List.copyOf(observes);
        produces = List.copyOf(produces);
        readPrefixes = List.copyOf(readPrefixes);
        writePrefixes = List.copyOf(writePrefixes);
    }

    /** A service's own publish-once markers: no other key can forge or delete them to suppress its events. */
    private static String markers(String principal) {
        return ObjectKeys.publishedMarkersPrefix(principal);
    }

    public static ServiceAccess of(String principal) {
        return ALL.stream().filter(a -> a.principal.equals(principal)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no access rules for " + principal));
    }

    /** Topics read: consumed and observed. */
    public List<String> readTopics() {
        return Stream.concat(consumes.stream(), observes.stream()).distinct().toList();
    }

    /** Topics written: produced, and the dead-letter topic of each consumed topic. */
    public List<String> writeTopics() {
        List<String> topics = new ArrayList<>(produces);
        consumes.forEach(t -> topics.add(Topics.deadLetter(t)));
        return topics.stream().distinct().toList();
    }

    /** Whether it has a consumer group of its own (named after it, Quarkus' default group id). */
    public boolean hasConsumerGroup() {
        return !consumes.isEmpty();
    }

    public boolean usesStorage() {
        return !readPrefixes.isEmpty() || !writePrefixes.isEmpty();
    }

    public boolean mayRead(String key) {
        return mayWrite(key) || readPrefixes.stream().anyMatch(key::startsWith);
    }

    public boolean mayWrite(String key) {
        return writePrefixes.stream().anyMatch(key::startsWith);
    }
}
