package dev.mnistpipeline.stack.cluster;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.PipelineStack;
import dev.mnistpipeline.stack.ServiceHosts;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.client.KafkaEndpoint;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A broker cut, then a trainer cut, on a cluster of hosts ({@link NetworkNamespaces}): three brokers and S3
 * ({@link ClusterInfrastructure}), and the four services each on a host of its own, with two trainers on two hosts.
 *
 * <ol>
 *   <li>A base dataset is ingested and prepared; a training run starts; {@value #SAMPLES} samples are published
 *   to {@code samples.submitted} at {@value #SAMPLES_PER_SECOND}/s, extending the dataset (so new versions are
 *   ingested and prepared all along).</li>
 *   <li>Mid-flow, the host of the broker that leads partition 0 of {@code samples.submitted} loses its link. The
 *   drill times the new leader's election and the first sample published after the cut that lands in a version.
 *   The link comes back once the samples are published, and the broker catches up.</li>
 *   <li>Once the run has a checkpoint, the host of the trainer that holds the run's lease loses its link; the other
 *   trainer must take the run over and finish it.</li>
 * </ol>
 * Every sample carries its number in its first pixels, so the newest version tells which landed, and whether twice.
 * Every namespace and process is removed at the end, also on failure.
 */
public final class ClusterDrill {
    public static final int SAMPLES = 2400;
    static final int SAMPLES_PER_SECOND = 60;
    static final String DATASET = "mnist";
    /** Trains while the broker is cut. */
    static final String RUN = "cluster-run";
    /** Trains while its trainer is cut. */
    static final String TAKEOVER_RUN = "cluster-takeover";
    static final Duration WAIT = Duration.ofMinutes(6);
    /** Instance name → host: every service on its own host, the two trainers on two. */
    static final Map<String, String> HOSTS = Map.of("ingest-service", "ingest", "preprocess-service", "prep",
            "trainer-service", "trainer1", "trainer-service-2", "trainer2", "evaluator-service", "eval");

    /** What a user checks after the cuts, and how long each took to heal. */
    public record Result(int brokers, int published, int acknowledged, int samplesLost, int duplicates, int cutBroker,
                         double leaderFailoverS, double recoveryS, double isrRestoredS, boolean runTrainedThroughCut, int versions, int versionsPreparedTwice,
                         int deadLettered, String cutTrainer, String finishedBy, boolean runResumedOnOtherTrainer,
                         double runTakeoverS, int modelsTrained) {
        public Map<String, Object> figures() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("brokers", brokers);
            f.put("samples_published", published);
            f.put("samples_acknowledged", acknowledged);
            f.put("samples_lost", samplesLost);
            f.put("duplicates", duplicates);
            f.put("cut_broker", cutBroker);
            f.put("leader_failover_s", leaderFailoverS);
            f.put("recovery_s", recoveryS);
            f.put("isr_restored_s", isrRestoredS);
            f.put("run_trained_through_cut", runTrainedThroughCut);
            f.put("versions", versions);
            f.put("versions_prepared_twice", versionsPreparedTwice);
            f.put("dead_lettered", deadLettered);
            f.put("cut_trainer", cutTrainer);
            f.put("run_finished_by", finishedBy);
            f.put("run_resumed_on_other_trainer", runResumedOnOtherTrainer);
            f.put("run_takeover_s", runTakeoverS);
            f.put("models_trained", modelsTrained);
            return f;
        }
    }

    private ClusterDrill() {
    }

    public static Result run(Layout layout, Path workDir) throws Exception {
        Map<String, Map<String, String>> env = Map.of(
                "ingest-service", Map.of("PIPELINE_SAMPLES_MAX_WAIT", "1s"),
                "trainer-service", Map.of("PIPELINE_TRAINER_METRICS_EVERY_STEPS", "5", "PIPELINE_TRAINER_LEASE_SECONDS", "10",
                        "PIPELINE_TRAINER_WAITING_CHECK", "1s"),
                "evaluator-service", Map.of("PIPELINE_REGISTRY_MIN_ACCURACY", "0.5"));
        try (NetworkNamespaces net = NetworkNamespaces.create()) {
            for (String host : HOSTS.values()) {
                net.addHost(host);
            }
            ServiceHosts hosts = new ServiceHosts() {
                @Override
                public List<String> command(String instance, List<String> command) {
                    return net.onHost(HOSTS.get(instance), command);
                }

                @Override
                public String address(String instance) {
                    return net.address(HOSTS.get(instance));
                }
            };
            try (ClusterInfrastructure infra = new ClusterInfrastructure(layout, net, workDir.resolve("cluster"));
                 PipelineStack stack = new PipelineStack(layout, infra, workDir.resolve("logs"), Map.of(), env, hosts).start();
                 EventStream events = new EventStream(clientOf(infra));
                 Admin admin = Admin.create(clientOf(infra).config());
                 ObjectStore store = new ObjectStore(new StorageConfig(infra.s3Endpoint(), infra.accessKey(), infra.secretKey(),
                         StorageConfig.DEFAULT_BUCKET))) {
                stack.startInstance("trainer-service", "trainer-service-2");
                return new Drill(layout, infra, stack, events, admin, store).run();
            }
        }
    }

    /** The test's own clients give up on a silent broker after 5 s (the services keep Kafka's defaults). */
    static KafkaEndpoint clientOf(ClusterInfrastructure infra) {
        return new KafkaEndpoint(infra.bootstrapServers(), Map.of("request.timeout.ms", "5000", "default.api.timeout.ms", "20000",
                "socket.connection.setup.timeout.ms", "2000", "socket.connection.setup.timeout.max.ms", "5000"));
    }

    /** One run of the drill on a started cluster. */
    private record Drill(Layout layout, ClusterInfrastructure infra, PipelineStack stack, EventStream events, Admin admin, ObjectStore store) {
        Result run() throws Exception {
            Map<String, Long> arrivals = new ConcurrentHashMap<>(); // dataset version (or model.trained of RUN) → when it arrived
            AtomicLong resumedAt = new AtomicLong();
            events.onEvent(e -> {
                if (e.topic().equals(Topics.DATASET_INGESTED)) {
                    arrivals.putIfAbsent(e.key(), System.nanoTime());
                } else if (e.topic().equals(Topics.MODEL_TRAINED) && RUN.equals(e.key())) {
                    arrivals.putIfAbsent(Topics.MODEL_TRAINED, System.nanoTime());
                } else if (e.topic().equals(Topics.TRAINING_METRICS) && TAKEOVER_RUN.equals(e.key()) && e.field("phase").equals("resumed")) {
                    resumedAt.compareAndSet(0, System.nanoTime());
                }
            });
            String base = Json.tree(Http.postJson(stack.url("ingest-service") + "/datasets", Json.write(Map.of(
                    "source", layout.root().resolve("data").resolve("mnist-subset").toAbsolutePath().normalize().toString(), "name", DATASET))).requireSuccess("ingest").body())
                    .get("datasetId").asText();
            int baseCount = store.getJson(ObjectKeys.datasetManifest(base), DatasetManifest.class).trainCount();
            events.await(Topics.DATASET_PREPARED, e -> base.equals(e.key()), WAIT);
            train(RUN, 6);

            // 1. Samples flow; the leader of samples.submitted/0 loses its link a third of the way in.
            Publisher publisher = new Publisher(clientOf(infra));
            publisher.start();
            while (publisher.acknowledged() < SAMPLES / 3) {
                publisher.check();
                Thread.sleep(100);
            }
            int cutBroker = ClusterInfrastructure.leader(admin, Topics.SAMPLES_SUBMITTED, 0);
            long cutAt = System.nanoTime();
            publisher.markCut(cutAt);
            infra.network().cut(ClusterInfrastructure.brokerHost(cutBroker));
            log("cut the link of broker %d (leader of %s/0) with %d samples acknowledged", cutBroker, Topics.SAMPLES_SUBMITTED,
                    publisher.acknowledged());
            double failover = awaitNewLeader(cutBroker, cutAt);
            log("partition 0 has a new leader %.1f s after the cut", failover);
            publisher.join(WAIT.toMillis());
            publisher.check();
            infra.network().heal(ClusterInfrastructure.brokerHost(cutBroker));
            long healedAt = System.nanoTime();
            double isrRestored = awaitFullIsr(healedAt);
            log("broker %d back; every partition of %s in sync again %.1f s later", cutBroker, Topics.SAMPLES_SUBMITTED, isrRestored);

            int expected = baseCount + publisher.acknowledged();
            try {
                events.await(Topics.DATASET_INGESTED, e -> Json.tree(e.value()).path("trainCount").asInt() >= expected, WAIT);
            } catch (IllegalStateException notAll) {
                log("not every acknowledged sample landed: %s", notAll.getMessage());
            }

            events.await(Topics.MODEL_TRAINED, e -> RUN.equals(e.key()), WAIT);
            boolean runSpannedCut = arrivals.getOrDefault(Topics.MODEL_TRAINED, Long.MAX_VALUE) > cutAt;

            // 2. A second run: the trainer that holds it loses its link once the run has a checkpoint.
            train(TAKEOVER_RUN, 4);
            events.await(Topics.TRAINING_METRICS, e -> TAKEOVER_RUN.equals(e.key()) && e.field("phase").equals("step")
                    && Json.tree(e.value()).path("epoch").asInt() >= 2, WAIT);
            String owner = Json.tree(store.findText(ObjectKeys.runLease(TAKEOVER_RUN)).orElseThrow(() -> new IllegalStateException(
                    "run " + TAKEOVER_RUN + " has no lease: it finished before its trainer could be cut"))).path("owner").asText();
            String ownerHost = HOSTS.get(owner);
            long trainerCutAt = System.nanoTime();
            infra.network().cut(ownerHost);
            log("cut the link of %s (host %s), which holds run %s", owner, ownerHost, TAKEOVER_RUN);
            events.await(Topics.MODEL_TRAINED, e -> TAKEOVER_RUN.equals(e.key()), WAIT);
            double takeover = resumedAt.get() == 0 ? -1 : seconds(trainerCutAt, resumedAt.get());
            String other = owner.equals("trainer-service") ? "trainer-service-2" : "trainer-service";
            String finishedBy = Json.tree(Http.get(stack.url(other) + "/trainings/" + TAKEOVER_RUN).body()).path("state").asText()
                    .equals("completed") ? other : owner;
            awaitGateDecisions(2);
            infra.network().heal(ownerHost);
            Thread.sleep(3000); // a late duplicate from the healed trainer has time to show

            Counted counted = count(base, publisher);
            int versionsPreparedTwice = (int) events.all(Topics.DATASET_PREPARED).stream()
                    .collect(Collectors.groupingBy(EventStream.Event::key, Collectors.counting())).values().stream()
                    .filter(n -> n > 1).count();
            int deadLettered = 0;
            for (String topic : Topics.CONSUMED) {
                deadLettered += events.all(Topics.deadLetter(topic)).size();
            }
            double recovery = counted.firstLandingAfterCut(arrivals, cutAt);
            int models = events.all(Topics.MODEL_TRAINED).size();
            return new Result(ClusterInfrastructure.BROKERS, SAMPLES, publisher.acknowledged(), counted.lost(), counted.duplicates(),
                    cutBroker, failover, recovery, isrRestored, runSpannedCut, counted.versions(), versionsPreparedTwice, deadLettered, owner,
                    finishedBy, resumedAt.get() != 0 && !finishedBy.equals(owner), takeover, models);
        }

        private void train(String runId, int epochs) throws InterruptedException {
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", runId,
                    "hyperparameters", Map.of("architecture", "cnn", "epochs", epochs, "batchSize", 32)))).requireSuccess("training request");
            events.await(Topics.TRAINING_METRICS, e -> runId.equals(e.key()) && e.field("phase").equals("step"), WAIT);
        }

        private void awaitGateDecisions(int runs) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (events.all(Topics.MODEL_PROMOTED).size() + events.all(Topics.MODEL_REJECTED).size() < runs) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no gate decision for every run within " + WAIT.toSeconds() + " s");
                }
                Thread.sleep(200);
            }
        }

        /** Seconds from the cut until partition 0 of samples.submitted is led by another broker. */
        private double awaitNewLeader(int cutBroker, long cutAt) throws Exception {
            long deadline = cutAt + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    int leader = ClusterInfrastructure.leader(admin, Topics.SAMPLES_SUBMITTED, 0);
                    if (leader != cutBroker && leader != -1) {
                        return seconds(cutAt, System.nanoTime());
                    }
                } catch (Exception stillElecting) {
                    // the admin's own request went to the cut broker; ask again
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("no new leader for " + Topics.SAMPLES_SUBMITTED + "/0 within " + WAIT.toSeconds() + " s");
        }

        private double awaitFullIsr(long healedAt) throws Exception {
            long deadline = healedAt + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    TopicDescription d = admin.describeTopics(List.of(Topics.SAMPLES_SUBMITTED)).allTopicNames().get()
                            .get(Topics.SAMPLES_SUBMITTED);
                    if (d.partitions().stream().allMatch(p -> p.isr().size() == ClusterInfrastructure.BROKERS)) {
                        return seconds(healedAt, System.nanoTime());
                    }
                } catch (Exception notYet) {
                    // ask again
                }
                Thread.sleep(500);
            }
            return -1;
        }

        /** Which acknowledged samples the newest version holds, how often, and which version first held each. */
        private Counted count(String base, Publisher publisher) {
            String newest = store.findText(ObjectKeys.latestDataset(DATASET)).orElseThrow();
            DatasetManifest version = store.getJson(ObjectKeys.datasetManifest(newest), DatasetManifest.class);
            int[] counts = new int[SAMPLES];
            Map<Integer, String> firstVersion = new LinkedHashMap<>();
            List<DatasetManifest.Part> parts = version.train();
            for (DatasetManifest.Part part : parts) {
                if (DatasetManifest.SAMPLES.equals(part.origin())) {
                    for (int n : numbers(part)) {
                        if (n >= 0 && n < SAMPLES) {
                            counts[n]++;
                        }
                    }
                }
            }
            // The version that first held a sample: walk the announced versions in order.
            for (EventStream.Event ingested : events.all(Topics.DATASET_INGESTED)) {
                DatasetManifest v = store.getJson(ObjectKeys.datasetManifest(ingested.key()), DatasetManifest.class);
                if (v.parentId() == null || !DATASET.equals(v.name())) {
                    continue;
                }
                DatasetManifest.Part last = v.train().get(v.train().size() - 1);
                if (DatasetManifest.SAMPLES.equals(last.origin())) {
                    for (int n : numbers(last)) {
                        firstVersion.putIfAbsent(n, ingested.key());
                    }
                }
            }
            int lost = 0, duplicates = 0;
            for (int n = 0; n < SAMPLES; n++) {
                if (publisher.wasAcknowledged(n) && counts[n] == 0) {
                    lost++;
                }
                duplicates += Math.max(0, counts[n] - 1);
            }
            int versions = (int) events.all(Topics.DATASET_INGESTED).stream().map(EventStream.Event::key).distinct().count();
            return new Counted(lost, duplicates, versions, firstVersion, publisher);
        }

        private int[] numbers(DatasetManifest.Part part) {
            byte[] px = Idx.readImages(store.getVerified(part.imagesKey(), part.imagesSha256()), part.imagesKey()).pixels();
            int[] out = new int[px.length / Idx.PIXELS];
            for (int i = 0; i < out.length; i++) {
                out[i] = stamp(px, i * Idx.PIXELS);
            }
            return out;
        }
    }

    private record Counted(int lost, int duplicates, int versions, Map<Integer, String> firstVersion, Publisher publisher) {
        /** Seconds from the cut until the first sample sent after it was in an announced version. */
        double firstLandingAfterCut(Map<String, Long> arrivals, long cutAt) {
            long first = Long.MAX_VALUE;
            for (var e : firstVersion.entrySet()) {
                Long arrived = arrivals.get(e.getValue());
                if (arrived != null && publisher.sentAfterCut(e.getKey())) {
                    first = Math.min(first, arrived);
                }
            }
            return first == Long.MAX_VALUE ? -1 : seconds(cutAt, first);
        }
    }

    /** Publishes {@value #SAMPLES} numbered samples at a steady rate, as users would, counting acknowledgements. */
    private static final class Publisher extends Thread {
        private final KafkaEndpoint kafka;
        private final boolean[] acknowledged = new boolean[SAMPLES];
        private final long[] sentAt = new long[SAMPLES];
        private final AtomicInteger acks = new AtomicInteger();
        private volatile long cutAt = Long.MAX_VALUE;
        private volatile Exception failure;

        Publisher(KafkaEndpoint kafka) {
            super("cluster-drill-publisher");
            this.kafka = kafka;
            setDaemon(true);
        }

        @Override
        public void run() {
            Properties p = kafka.properties();
            p.remove("request.timeout.ms"); // a user's producer, with the defaults: it waits out a leader change
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
                long start = System.nanoTime();
                for (int n = 0; n < SAMPLES; n++) {
                    long due = start + n * 1_000_000_000L / SAMPLES_PER_SECOND;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    SampleSubmitted sample = new SampleSubmitted("c-" + n, n % 10, Base64.getEncoder().encodeToString(pixels(n)), null, DATASET);
                    int number = n;
                    sentAt[n] = System.nanoTime();
                    producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, sample.key(), Json.write(sample)), (meta, error) -> {
                        if (error == null) {
                            acknowledged[number] = true;
                            acks.incrementAndGet();
                        }
                    });
                }
                producer.flush();
            } catch (Exception e) {
                failure = e;
            }
        }

        void check() {
            if (failure != null) {
                throw new IllegalStateException("publishing failed", failure);
            }
        }

        void markCut(long at) {
            cutAt = at;
        }

        int acknowledged() {
            return acks.get();
        }

        boolean wasAcknowledged(int n) {
            return acknowledged[n];
        }

        boolean sentAfterCut(int n) {
            return n >= 0 && n < SAMPLES && sentAt[n] > cutAt;
        }
    }

    /** Sample n: its number in its first three pixels (blank in real digits), a block of ink in the middle. */
    static byte[] pixels(int n) {
        byte[] px = new byte[Idx.PIXELS];
        px[0] = (byte) n;
        px[1] = (byte) (n >>> 8);
        px[2] = (byte) (n >>> 16);
        for (int row = 10; row < 18; row++) {
            for (int col = 8 + n % 5; col < 14 + n % 5; col++) {
                px[row * 28 + col] = (byte) 200;
            }
        }
        return px;
    }

    static int stamp(byte[] px, int offset) {
        return (px[offset] & 0xff) | (px[offset + 1] & 0xff) << 8 | (px[offset + 2] & 0xff) << 16;
    }

    static double seconds(long from, long to) {
        return Math.round((to - from) / 1e8) / 10.0;
    }

    private static void log(String format, Object... args) {
        System.out.printf("cluster drill: " + format + "%n", args);
    }
}
