package dev.mnistpipeline.bench.scenarios;

import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.bench.support.CpuQuota;
import dev.mnistpipeline.bench.support.CompilerCpu;
import dev.mnistpipeline.bench.support.CpuTimeline;
import dev.mnistpipeline.bench.support.Figures;
import dev.mnistpipeline.bench.support.MachineCpu;
import dev.mnistpipeline.bench.support.StackCpu;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.bench.support.StampedSamples;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.storage.ObjectKeys;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * {@code --samples} (300,000) samples, 2 % of them invalid, published to {@code samples.submitted} (keyed by sample, so they
 * spread over its partitions) as fast as one producer can, on a stack that already holds full MNIST. The samples are
 * {@link StampedSamples}, so the stored versions tell exactly which samples landed, when (the arrival of the
 * {@code dataset.ingested} of the version that first holds it), and whether any landed twice or not at all. Two
 * setups in one run, each on a fresh stack: the reference, 1 ingest replica on 1 partition, and the scaled one
 * ({@code --partitions P --replicas R}, default 4 and 2); {@code scale_out_ratio} is their quotient of samples/s.
 * On 2 cores the broker, S3, preprocessing and the load generator leave one replica a third of the machine, and two
 * replicas get no more: so the same two setups run again with each replica held to {@code --replica-cores C} (0.25 by
 * default; 0 leaves them out) by a {@link CpuQuota}, as a pod's CPU limit holds it, and
 * {@code scale_out_ratio_at_fixed_replica_cpu} says whether a second replica lands more when it brings its own CPU.
 * Each quotient also comes over the second half of the samples to land ({@code scale_out_ratio_second_half}).
 */
public final class SamplesLoad implements Scenario {
    static final int DEFAULT_SAMPLES = 300_000;
    /** Warm-up samples are numbered from here, past any measured one, so they never count as measured. */
    static final int WARM_UP_FROM = 1_000_000;
    static final String MAX_WAIT = "2s";
    static final Setup REFERENCE = new Setup(1, 1);

    static final double DEFAULT_REPLICA_CORES = 0.25;
    static final int DEFAULT_WARM_UP = 30_000;
    static final int DEFAULT_WARM_UP_WAVES = 40;
    static final int MOST_WARM_UP_WAVES = 100;
    /** MNIST's training and test examples, the base every wave and the measured samples extend. */
    static final int MNIST_EXAMPLES = 70_000;
    /**
     * Ingest's {@code pipeline.ingest.max-examples-per-dataset} in the benchmark's stacks, raised from 1,000,000 so
     * that the warm-up can run until the JIT settles: every wave extends the one dataset.
     */
    static final int DATASET_LIMIT = 4_000_000;
    /** The warm-up ends after the first wave in which the replicas' JIT compiler threads took less of their CPU. */
    static final double COMPILED_BELOW = 0.05;

    private Setup scaled = new Setup(4, 2);
    private double replicaCores = DEFAULT_REPLICA_CORES;
    private int measuredSamples = DEFAULT_SAMPLES;
    private int warmUp = DEFAULT_WARM_UP;
    private int maxWarmUpWaves = DEFAULT_WARM_UP_WAVES;
    /** Each ingest replica's compiler threads, by process id, followed from the replica's start. */
    private final Map<Long, CompilerCpu> compilers = new ConcurrentHashMap<>();

    /** Partitions of {@code samples.submitted}, ingest replicas consuming them, and each one's CPU (0: unlimited). */
    record Setup(int partitions, int replicas, double replicaCores) {
        Setup {
            if (partitions < 1 || replicas < 1 || partitions > 64 || replicas > 8) {
                throw new IllegalArgumentException("--partitions 1-64 and --replicas 1-8, got " + partitions + " and " + replicas);
            }
            if (replicaCores < 0 || replicaCores > 1) {
                throw new IllegalArgumentException("--replica-cores 0-1 (0: no limit), got " + replicaCores);
            }
        }

        Setup(int partitions, int replicas) {
            this(partitions, replicas, 0);
        }

        Setup atCores(double cores) {
            return new Setup(partitions, replicas, cores);
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
        return "[--samples 300000] published samples (2 % invalid) until the last valid one is in a dataset version: 1 ingest replica "
                + "on 1 partition, then [--replicas 2] on [--partitions 4]; both again with each replica held to [--replica-cores 0.25]; "
                + "each after waves of [--warm-up 30000] samples per replica, until the JIT compiler takes < 5 % of the "
                + "replicas' CPU (at most [--warm-up-waves 40])";
    }

    @Override
    public Needs needs() {
        return Needs.OWN_STACK;
    }

    @Override
    public void options(List<String> args) {
        int partitions = scaled.partitions(), replicas = scaled.replicas();
        double cores = replicaCores;
        for (int i = 0; i < args.size(); i += 2) {
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(args.get(i) + " needs a value");
            }
            switch (args.get(i)) {
                case "--partitions" -> partitions = Integer.parseInt(args.get(i + 1));
                case "--replicas" -> replicas = Integer.parseInt(args.get(i + 1));
                case "--replica-cores" -> cores = Double.parseDouble(args.get(i + 1));
                case "--samples" -> measuredSamples = Integer.parseInt(args.get(i + 1));
                case "--warm-up" -> warmUp = Integer.parseInt(args.get(i + 1));
                case "--warm-up-waves" -> maxWarmUpWaves = Integer.parseInt(args.get(i + 1));
                default -> throw new IllegalArgumentException("samples-load takes --partitions N, --replicas N, --replica-cores C, "
                        + "--samples N, --warm-up N and --warm-up-waves N, not " + args.get(i));
            }
        }
        if (measuredSamples < 10_000 || measuredSamples > WARM_UP_FROM) {
            throw new IllegalArgumentException("--samples 10,000-" + WARM_UP_FROM + ", got " + measuredSamples);
        }
        if (warmUp < 0 || warmUp > 1_000_000) {
            throw new IllegalArgumentException("--warm-up 0-1,000,000 samples, got " + warmUp);
        }
        if (maxWarmUpWaves < 1 || maxWarmUpWaves > MOST_WARM_UP_WAVES) {
            throw new IllegalArgumentException("--warm-up-waves 1-" + MOST_WARM_UP_WAVES + ", got " + maxWarmUpWaves);
        }
        // Every wave extends the same dataset, and ingest refuses a version beyond its limit: the run would wait forever.
        long examples = MNIST_EXAMPLES + measuredSamples + (long) warmUp * replicas * maxWarmUpWaves;
        if (examples > DATASET_LIMIT) {
            throw new IllegalArgumentException("--warm-up " + warmUp + " x --replicas " + replicas + " x --warm-up-waves "
                    + maxWarmUpWaves + " would grow the dataset to " + examples + " examples with MNIST and the measured samples, "
                    + "past the pipeline.ingest.max-examples-per-dataset the benchmark gives ingest (" + DATASET_LIMIT + ")");
        }
        scaled = new Setup(partitions, replicas);
        REFERENCE.atCores(cores); // checks the range before anything starts
        replicaCores = cores;
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext ignored) throws Exception {
        Map<String, Object> result = compare(measure(layout, REFERENCE), measure(layout, scaled));
        if (replicaCores > 0) {
            String unavailable = CpuQuota.unavailableBecause();
            if (unavailable != null) {
                System.out.println("samples-load: no run at a fixed CPU per replica: " + unavailable);
                result.put("at_fixed_replica_cpu", Map.of("skipped", unavailable));
            } else {
                Map<String, Object> fixed = compare(measure(layout, REFERENCE.atCores(replicaCores)), measure(layout, scaled.atCores(replicaCores)));
                result.put("scale_out_ratio_at_fixed_replica_cpu", fixed.get("scale_out_ratio"));
                result.put("cores_per_replica", replicaCores);
                result.put("lost", (int) result.get("lost") + (int) fixed.get("lost"));
                result.put("duplicates", (int) result.get("duplicates") + (int) fixed.get("duplicates"));
                result.put("at_fixed_replica_cpu", fixed);
            }
        }
        result.put("targets", "scale_out_ratio >= 1.7; nothing lost, no duplicates; >= 10,000 samples/s at the best setting");
        return result;
    }

    /** The scaled setup against the reference: their ratios, then each setup's own figures. */
    private Map<String, Object> compare(Map<String, Object> reference, Map<String, Object> scaledOut) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("scale_out_ratio", round((double) scaledOut.get("samples_per_s") / (double) reference.get("samples_per_s")));
        // The same quotient over the second half of the samples to land, once both setups are past their start.
        result.put("scale_out_ratio_second_half", round((double) scaledOut.get("samples_per_s_second_half")
                / (double) reference.get("samples_per_s_second_half")));
        // What partitioning costs per sample, apart from how many cores the machine has: scaled over reference.
        result.put("ingest_cpu_per_sample_ratio", round((double) scaledOut.get("ingest_cpu_us_per_sample")
                / (double) reference.get("ingest_cpu_us_per_sample")));
        result.put("ingest_cpu_per_sample_ratio_second_half", round((double) scaledOut.get("ingest_cpu_us_per_sample_second_half")
                / (double) reference.get("ingest_cpu_us_per_sample_second_half")));
        result.put("ingest_cpu_per_sample_ratio_without_compiler", round((double) scaledOut.get("ingest_cpu_us_per_sample_without_compiler")
                / (double) reference.get("ingest_cpu_us_per_sample_without_compiler")));
        result.put("samples_per_s", scaledOut.get("samples_per_s"));
        result.put("lost", (int) reference.get("lost") + (int) scaledOut.get("lost"));
        result.put("duplicates", (int) reference.get("duplicates") + (int) scaledOut.get("duplicates"));
        result.put(REFERENCE.label(), reference);
        result.put(scaled.label(), scaledOut);
        return result;
    }

    /**
     * The second half of the samples to land: from the arrival of the version that took the count past half to the
     * last one, and how many samples came in that span. A replica started for the run spends its first seconds
     * compiling; this leaves that out, so it shows the steady state beside the whole run.
     */
    record SecondHalf(long from, long to, int samples) {
        static SecondHalf of(TreeMap<Long, Integer> landedAt) {
            int total = landedAt.values().stream().mapToInt(Integer::intValue).sum(), counted = 0;
            for (var version : landedAt.entrySet()) {
                counted += version.getValue();
                if (counted * 2 >= total) {
                    return new SecondHalf(version.getKey(), landedAt.lastKey(), total - counted);
                }
            }
            return new SecondHalf(0, 0, 0);
        }

        double samplesPerSecond() {
            return to > from ? samples / ((to - from) / 1e9) : Double.NaN;
        }

        double cpuPerSample(CpuTimeline timeline) {
            return samples > 0 ? timeline.between(from, to) / samples : Double.NaN;
        }
    }

    /**
     * Publishes waves of {@code --warm-up} samples per replica (numbered from {@value #WARM_UP_FROM}, so they never count as
     * measured ones), each once the one before is in a version, until the replicas' JIT compiler threads took less
     * than {@value #COMPILED_BELOW} of their CPU in a wave (or {@code --warm-up-waves} waves). What is measured next is
     * the replicas' steady state, not each process compiling its sample path: that costs every replica the same, so it
     * weighs twice with two. A JFR profile of a run with one 30,000-sample wave had the compiler threads busy through
     * the whole measured window (30 of the 1-replica JVM's 46 s of compile time came after the warm-up). The compiler
     * took under 10 % of a wave only after 600,000 to 1,000,000 samples per replica, so the default allows 40 waves.
     * Pausing after each wave does not shorten it: idle, the compilers were done within 0.5 s every time, so the
     * compiling follows the load rather than a backlog.
     */
    private WarmUp warmUp(DataStack data, KafkaProducer<String, String> producer, StampedSamples samples, int replicas) throws Exception {
        int expected = data.store().getJson(ObjectKeys.datasetManifest(data.baseDatasetId()), DatasetManifest.class).trainCount();
        int wave = warmUp * replicas, waves = 0;
        double compilerShare = Double.NaN;
        while (waves < (warmUp == 0 ? 0 : maxWarmUpWaves) && !(compilerShare < COMPILED_BELOW)) {
            double cpuFrom = ingestCpuSeconds(data), compilerFrom = ingestCompilerSeconds(data);
            int first = WARM_UP_FROM + waves * wave, valid = 0;
            for (int i = first; i < first + wave; i++) {
                valid += StampedSamples.isValid(i) ? 1 : 0;
                producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, key(i), samples.value(i)));
            }
            producer.flush();
            expected += valid;
            int landed = expected;
            long start = System.nanoTime();
            data.events().awaitDespiteDeadLetters(List.of(Topics.DATASET_INGESTED),
                    e -> Json.tree(e.value()).path("trainCount").asInt() >= landed, DataStack.STAGE_TIMEOUT);
            waves++;
            compilerShare = (ingestCompilerSeconds(data) - compilerFrom) / (ingestCpuSeconds(data) - cpuFrom);
            System.out.printf("Warm-up wave %d: %d samples in %.1f s; the JIT compiler took %.0f %% of the replicas' CPU%n",
                    waves, wave, (System.nanoTime() - start) / 1e9, 100 * compilerShare);
        }
        return new WarmUp(expected, waves * wave, waves, compilerShare);
    }

    /**
     * What the warm-up left: the training examples of the newest version, the samples it published in how many waves,
     * and the share of the replicas' CPU their JIT compiler threads took in the last wave.
     */
    record WarmUp(int trainCount, int samples, int waves, double compilerShare) {
    }

    private static String key(int number) {
        return "mnist/" + number;
    }

    /** The dead letters of measured samples (the warm-up's are numbered from {@value #WARM_UP_FROM}). */
    private static List<EventStream.Event> deadLettered(DataStack data) {
        return data.events().all(Topics.deadLetter(Topics.SAMPLES_SUBMITTED)).stream()
                .filter(letter -> number(letter.key()) < WARM_UP_FROM).toList();
    }

    /** The sample number in a key {@code mnist/<number>}; 0 (a measured one) for any other key. */
    private static int number(String key) {
        String digits = key == null ? "" : key.substring(key.lastIndexOf('/') + 1);
        return digits.matches("\\d{1,9}") ? Integer.parseInt(digits) : 0;
    }

    /** CPU seconds used so far by every ingest replica of the stack. */
    private static double ingestCpuSeconds(DataStack data) {
        return ingestReplicas(data).stream().mapToDouble(ManagedProcess::cpuSeconds).sum();
    }

    /** CPU seconds used so far by the ingest replicas' JIT compiler threads. */
    private double ingestCompilerSeconds(DataStack data) {
        return ingestReplicas(data).stream().mapToDouble(replica -> compilers.computeIfAbsent(replica.pid(), CompilerCpu::new).seconds()).sum();
    }

    private Map<String, Object> measure(Layout layout, Setup setup) throws Exception {
        System.out.printf("samples-load: %d ingest replica(s) on %d partition(s)%s ...%n", setup.replicas(), setup.partitions(),
                setup.replicaCores() > 0 ? ", each held to " + setup.replicaCores() + " cores" : "");
        List<CpuQuota> quotas = new ArrayList<>(); // closed after the stack: its processes have ended by then
        try (DataStack data = new DataStack(layout, Map.of("ingest-service", Map.of("PIPELINE_SAMPLES_MAX_WAIT", MAX_WAIT,
                "PIPELINE_INGEST_MAX_EXAMPLES_PER_DATASET", Integer.toString(DATASET_LIMIT))),
                setup.partitions(), "ingest-service", "preprocess-service").withMnist();
             KafkaProducer<String, String> producer = data.producer()) {
            for (int r = 2; r <= setup.replicas(); r++) {
                data.stack().startInstance("ingest-service", "ingest-service-" + r);
            }
            StampedSamples samples = new StampedSamples();
            WarmUp warm = warmUp(data, producer, samples, setup.replicas());
            if (setup.replicaCores() > 0) { // after the warm-up: the quota holds a replica in its steady state
                for (ManagedProcess replica : ingestReplicas(data)) {
                    CpuQuota quota = CpuQuota.create(replica.name(), setup.replicaCores());
                    quotas.add(quota);
                    quota.add(replica.pid());
                }
            }
            Map<String, Object> result = measure(setup, data, producer, samples, warm);
            if (!quotas.isEmpty()) {
                result.put("cores_per_replica", setup.replicaCores());
                result.put("replicas_throttled_s", round(quotas.stream().mapToDouble(CpuQuota::throttledSeconds).sum()));
            }
            return result;
        } finally {
            quotas.forEach(CpuQuota::close);
        }
    }

    /** How often the replicas have lost the compare-and-swap of the dataset's pointer so far, from their logs. */
    private static long swapsLost(DataStack data) throws IOException {
        long lost = 0;
        for (ManagedProcess replica : ingestReplicas(data)) {
            try (var lines = Files.lines(replica.log())) {
                lost += lines.filter(line -> line.contains("Another replica extended")).count();
            }
        }
        return lost;
    }

    private static List<ManagedProcess> ingestReplicas(DataStack data) {
        return data.stack().processes().values().stream().filter(p -> p.name().startsWith("ingest-service")).toList();
    }

    /** @param warm the warm-up, whose newest version holds the training examples before the first measured sample */
    private Map<String, Object> measure(Setup setup, DataStack data, KafkaProducer<String, String> producer,
                                        StampedSamples samples, WarmUp warm) throws Exception {
        try (CpuTimeline ingestTimeline = CpuTimeline.every(Duration.ofMillis(200), () -> ingestCpuSeconds(data))) {
            long swapsLostBefore = swapsLost(data);
            int valid = 0, invalid = 0;
            long[] sentAt = new long[measuredSamples];
            MachineCpu machineFrom = MachineCpu.now();
            StackCpu processesFrom = StackCpu.now(data);
            double ingestCpuFrom = ingestCpuSeconds(data);
            double compilerFrom = ingestCompilerSeconds(data);
            long start = System.nanoTime();
            for (int i = 0; i < measuredSamples; i++) {
                String value = samples.value(i);
                if (StampedSamples.isValid(i)) {
                    valid++;
                } else {
                    invalid++;
                }
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, key(i), value));
            }
            producer.flush();
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Published %d samples (%d invalid) in %.1f s; waiting for them to land ...%n", measuredSamples, invalid, publishSeconds);

            int expected = warm.trainCount() + valid;
            EventStream.Event last = data.events().awaitDespiteDeadLetters(List.of(Topics.DATASET_INGESTED),
                    e -> Json.tree(e.value()).path("trainCount").asInt() >= expected, DataStack.STAGE_TIMEOUT);
            double machineBusy = MachineCpu.now().busySince(machineFrom);
            Map<String, Double> coresByProcess = StackCpu.now(data).coresSince(processesFrom);
            double ingestCpu = ingestCpuSeconds(data) - ingestCpuFrom;
            double compilerCpu = ingestCompilerSeconds(data) - compilerFrom;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (deadLettered(data).size() < invalid && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }

            // Which version first held each sample, from the stored parts.
            double[] landSeconds = new double[measuredSamples];
            Arrays.fill(landSeconds, Double.NaN);
            int duplicates = 0, versions = 0;
            TreeMap<Long, Integer> landedAt = new TreeMap<>(); // a version's arrival -> the samples it brought
            List<EventStream.Event> ingested = data.events().all(Topics.DATASET_INGESTED);
            for (EventStream.Event version : ingested) {
                DatasetManifest manifest = data.store().getJson(ObjectKeys.datasetManifest(version.key()), DatasetManifest.class);
                if (manifest.parentId() == null) {
                    continue;
                }
                int[] numbers = StampedSamples.numbers(data.store(), manifest.train().get(manifest.train().size() - 1));
                if (Arrays.stream(numbers).allMatch(n -> n >= WARM_UP_FROM)) {
                    continue; // a version of the warm-up
                }
                versions++;
                for (int number : numbers) {
                    if (number >= WARM_UP_FROM) {
                        duplicates++; // a warm-up sample stored again after its wave had landed
                    } else if (!Double.isNaN(landSeconds[number])) {
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
            result.put("samples_published", measuredSamples);
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
            List<EventStream.Event> letters = deadLettered(data);
            long deadLettered = letters.stream().map(EventStream.Event::key).distinct().count();
            result.put("dead_lettered", deadLettered);
            result.put("dead_letter_repeats", letters.size() - deadLettered);
            result.put("warm_up_samples", warm.samples());
            result.put("warm_up_waves", warm.waves());
            if (warm.waves() > 0) {
                result.put("warm_up_last_wave_compiler_share", round(warm.compilerShare()));
            }
            result.put("versions", versions);
            // A replica that lost the swap of the name's pointer to another extends the winner's version instead.
            result.put("swaps_lost", swapsLost(data) - swapsLostBefore);
            result.put("mean_batch", round((double) landed.length / Math.max(1, versions)));
            // Whether the machine or the design was the limit: how busy all cores were, and what the replicas used.
            result.put("machine_busy", round(machineBusy));
            result.put("cores_by_process", coresByProcess);
            result.put("ingest_cores", round(ingestCpu / wall));
            result.put("ingest_cpu_us_per_sample", round(ingestCpu / Math.max(1, landed.length) * 1e6));
            // The replicas' JIT compiler threads, still compiling their sample path: each replica compiles it anew.
            result.put("ingest_compiler_share", round(compilerCpu / ingestCpu));
            result.put("ingest_cpu_us_per_sample_without_compiler", round((ingestCpu - compilerCpu) / Math.max(1, landed.length) * 1e6));
            SecondHalf secondHalf = SecondHalf.of(landedAt);
            result.put("samples_per_s_second_half", round(secondHalf.samplesPerSecond()));
            result.put("ingest_cpu_us_per_sample_second_half", round(secondHalf.cpuPerSample(ingestTimeline) * 1e6));
            result.put("ingest_peak_rss_mb", data.stack().process("ingest-service").peakRssMb());
            result.put("samples_max_wait", MAX_WAIT);
            return result;
        }
    }
}
