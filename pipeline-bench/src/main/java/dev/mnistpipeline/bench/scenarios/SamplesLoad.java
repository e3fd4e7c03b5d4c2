package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.bench.support.CpuTimeline;
import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.MachineCpu;
import dev.mnistpipeline.bench.support.StackCpu;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.StampedSamples;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * {@value #SAMPLES} samples, 2 % of them invalid, published to {@code samples.submitted} (keyed by sample, so they
 * spread over its partitions) as fast as one producer can, on a stack that already holds full MNIST. The samples are
 * {@link StampedSamples}, so the stored versions tell exactly which samples landed, when (the arrival of the
 * {@code dataset.ingested} of the version that first holds it), and whether any landed twice or not at all. Two
 * setups in one run, each on a fresh stack: the reference, 1 ingest replica on 1 partition, and the scaled one
 * ({@code --partitions P --replicas R}, default 4 and 2); {@code scale_out_ratio} is their quotient of samples/s.
 */
public final class SamplesLoad implements Scenario {
    static final int SAMPLES = 100_000;
    static final String MAX_WAIT = "2s";
    static final Setup REFERENCE = new Setup(1, 1);

    private Setup scaled = new Setup(4, 2);

    /** Partitions of {@code samples.submitted} and ingest replicas consuming them. */
    record Setup(int partitions, int replicas) {
        Setup {
            if (partitions < 1 || replicas < 1 || partitions > 64 || replicas > 8) {
                throw new IllegalArgumentException("--partitions 1-64 and --replicas 1-8, got " + partitions + " and " + replicas);
            }
        }

        String label() {
            return replicas + (replicas == 1 ? "_replica_" : "_replicas_") + partitions + (partitions == 1 ? "_partition" : "_partitions");
        }
    }

    @Override
    public String name() {
        return "samples-load";
    }

    @Override
    public String summary() {
        return "100,000 published samples (2 % invalid) until the last valid one is in a dataset version: 1 ingest replica "
                + "on 1 partition, then [--replicas 2] on [--partitions 4]";
    }

    @Override
    public Needs needs() {
        return Needs.OWN_STACK;
    }

    @Override
    public void options(List<String> args) {
        int partitions = scaled.partitions(), replicas = scaled.replicas();
        for (int i = 0; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(args.get(i) + " needs a value");
            }
            switch (args.get(i)) {
                case "--partitions" -> partitions = Integer.parseInt(args.get(i + 1));
                case "--replicas" -> replicas = Integer.parseInt(args.get(i + 1));
                default -> throw new IllegalArgumentException("samples-load takes --partitions N and --replicas N, not " + args.get(i));
            }
        }
        scaled = new Setup(partitions, replicas);
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext ignored) throws Exception {
        Map<String, Object> reference = measure(layout, REFERENCE);
        Map<String, Object> scaledOut = measure(layout, scaled);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scale_out_ratio", round((double) scaledOut.get("samples_per_s") / (double) reference.get("samples_per_s")));
        // What partitioning costs per sample, apart from how many cores the machine has: scaled over reference.
        result.put("ingest_cpu_per_sample_ratio", round((double) scaledOut.get("ingest_cpu_us_per_sample")
                / (double) reference.get("ingest_cpu_us_per_sample")));
        result.put("ingest_cpu_per_sample_ratio_second_half", round((double) scaledOut.get("ingest_cpu_us_per_sample_second_half")
                / (double) reference.get("ingest_cpu_us_per_sample_second_half")));
        result.put("samples_per_s", scaledOut.get("samples_per_s"));
        result.put("lost", (int) reference.get("lost") + (int) scaledOut.get("lost"));
        result.put("duplicates", (int) reference.get("duplicates") + (int) scaledOut.get("duplicates"));
        result.put(REFERENCE.label(), reference);
        result.put(scaled.label(), scaledOut);
        result.put("targets", "scale_out_ratio >= 1.7; nothing lost, no duplicates; >= 10,000 samples/s at the best setting");
        return result;
    }

    /**
     * Ingest CPU per sample over the second half of the samples to land: from the version that took the count past
     * half to the last. A replica started for the run spends its first seconds compiling; this leaves that out.
     */
    private static double secondHalfCpuPerSample(TreeMap<Long, Integer> landedAt, CpuTimeline timeline) {
        int total = landedAt.values().stream().mapToInt(Integer::intValue).sum(), counted = 0;
        for (var version : landedAt.entrySet()) {
            counted += version.getValue();
            if (counted * 2 >= total) {
                return timeline.between(version.getKey(), landedAt.lastKey()) / Math.max(1, total - counted);
            }
        }
        return Double.NaN;
    }

    /** CPU seconds used so far by every ingest replica of the stack. */
    private static double ingestCpuSeconds(DataStack data) {
        return data.stack().processes().entrySet().stream().filter(e -> e.getKey().startsWith("ingest-service"))
                .mapToDouble(e -> e.getValue().cpuSeconds()).sum();
    }

    private Map<String, Object> measure(Layout layout, Setup setup) throws Exception {
        System.out.printf("samples-load: %d ingest replica(s) on %d partition(s) ...%n", setup.replicas(), setup.partitions());
        try (DataStack data = new DataStack(layout, Map.of("ingest-service", Map.of("PIPELINE_SAMPLES_MAX_WAIT", MAX_WAIT)),
                setup.partitions(), "ingest-service", "preprocess-service").withMnist();
             KafkaProducer<String, String> producer = data.producer()) {
            for (int r = 2; r <= setup.replicas(); r++) {
                data.stack().startInstance("ingest-service", "ingest-service-" + r);
            }
            return measure(setup, data, producer);
        }
    }

    private Map<String, Object> measure(Setup setup, DataStack data, KafkaProducer<String, String> producer) throws Exception {
        try (CpuTimeline ingestTimeline = CpuTimeline.every(Duration.ofMillis(200), () -> ingestCpuSeconds(data))) {
            StampedSamples samples = new StampedSamples();
            int base = data.store().getJson(ObjectKeys.datasetManifest(data.baseDatasetId()), DatasetManifest.class).trainCount();
            int valid = 0, invalid = 0;
            long[] sentAt = new long[SAMPLES];
            MachineCpu machineFrom = MachineCpu.now();
            StackCpu processesFrom = StackCpu.now(data);
            double ingestCpuFrom = ingestCpuSeconds(data);
            long start = System.nanoTime();
            for (int i = 0; i < SAMPLES; i++) {
                String value = samples.value(i);
                if (StampedSamples.isValid(i)) {
                    valid++;
                } else {
                    invalid++;
                }
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, "mnist/" + i, value));
            }
            producer.flush();
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Published %d samples (%d invalid) in %.1f s; waiting for them to land ...%n", SAMPLES, invalid, publishSeconds);

            int expected = base + valid;
            EventStream.Event last = data.events().awaitDespiteDeadLetters(List.of(Topics.DATASET_INGESTED),
                    e -> Json.tree(e.value()).path("trainCount").asInt() >= expected, DataStack.STAGE_TIMEOUT);
            double machineBusy = MachineCpu.now().busySince(machineFrom);
            Map<String, Double> coresByProcess = StackCpu.now(data).coresSince(processesFrom);
            double ingestCpu = ingestCpuSeconds(data) - ingestCpuFrom;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (data.events().all(Topics.deadLetter(Topics.SAMPLES_SUBMITTED)).stream().map(EventStream.Event::key).distinct().count() < invalid && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }

            // Which version first held each sample, from the stored parts.
            double[] landSeconds = new double[SAMPLES];
            Arrays.fill(landSeconds, Double.NaN);
            int duplicates = 0, versions = 0;
            TreeMap<Long, Integer> landedAt = new TreeMap<>(); // a version's arrival -> the samples it brought
            List<EventStream.Event> ingested = data.events().all(Topics.DATASET_INGESTED);
            for (EventStream.Event version : ingested) {
                DatasetManifest manifest = data.store().getJson(ObjectKeys.datasetManifest(version.key()), DatasetManifest.class);
                if (manifest.parentId() == null) {
                    continue;
                }
                versions++;
                for (int number : StampedSamples.numbers(data.store(), manifest.train().get(manifest.train().size() - 1))) {
                    if (!Double.isNaN(landSeconds[number])) {
                        duplicates++;
                    } else {
                        landSeconds[number] = (data.arrival(Topics.DATASET_INGESTED, version.key()) - sentAt[number]) / 1e9;
                        landedAt.merge(data.arrival(Topics.DATASET_INGESTED, version.key()), 1, Integer::sum);
                    }
                }
            }
            double[] landed = Arrays.stream(landSeconds).filter(s -> !Double.isNaN(s)).sorted().toArray();
            double wall = (data.arrival(Topics.DATASET_INGESTED, last.key()) - start) / 1e9;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("partitions", setup.partitions());
            result.put("replicas", setup.replicas());
            result.put("samples_published", SAMPLES);
            result.put("invalid_published", invalid);
            result.put("samples_landed", landed.length);
            result.put("samples_per_s", round(landed.length / wall));
            result.put("wall_s", round(wall));
            result.put("publish_s", round(publishSeconds));
            result.put("p50_land_s", round(Figures.percentile(landed, 0.5)));
            result.put("p99_land_s", round(Figures.percentile(landed, 0.99)));
            result.put("lost", valid - landed.length);
            result.put("duplicates", duplicates);
            // Each sample has its own key: a letter whose key came before repeats a redelivered record (DeadLetters).
            List<EventStream.Event> letters = data.events().all(Topics.deadLetter(Topics.SAMPLES_SUBMITTED));
            long deadLettered = letters.stream().map(EventStream.Event::key).distinct().count();
            result.put("dead_lettered", deadLettered);
            result.put("dead_letter_repeats", letters.size() - deadLettered);
            result.put("versions", versions);
            result.put("mean_batch", round((double) landed.length / Math.max(1, versions)));
            // Whether the machine or the design was the limit: how busy all cores were, and what the replicas used.
            result.put("machine_busy", round(machineBusy));
            result.put("cores_by_process", coresByProcess);
            result.put("ingest_cores", round(ingestCpu / wall));
            result.put("ingest_cpu_us_per_sample", round(ingestCpu / Math.max(1, landed.length) * 1e6));
            result.put("ingest_cpu_us_per_sample_second_half", round(secondHalfCpuPerSample(landedAt, ingestTimeline) * 1e6));
            result.put("ingest_peak_rss_mb", data.stack().process("ingest-service").peakRssMb());
            result.put("samples_max_wait", MAX_WAIT);
            return result;
        }
    }
}
