package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.cli.client.StackClient;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.messaging.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code ./pipeline publish PATH...}: labelled samples onto {@code samples.submitted}, as the samples publisher (the
 * one Kafka user that may write it, and nothing else), then the dataset version(s) they became. Inputs: folders laid
 * out as {@code <label>/<image>}, single images with {@code --label}, or an IDX images file with {@code --labels}.
 * A sample's id is its content's hash, so publishing the same files again adds nothing. What it reports as landed is
 * how much the dataset grew meanwhile (another publisher's samples count too).
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish labelled samples to Kafka (samples.submitted) and wait for the dataset version they become.")
final class PublishCommand implements Callable<Integer> {
    private static final List<String> IMAGE_TYPES = List.of(".png", ".jpg", ".jpeg", ".gif", ".bmp");

    @Mixin
    StackOptions stack = new StackOptions();
    @Parameters(arity = "1..*", paramLabel = "PATH", description = "a folder of <label>/<image>, an image (with --label), or IDX images (with --labels)")
    List<Path> paths;
    @Option(names = "--label", paramLabel = "DIGIT", description = "the label of the single images given")
    Integer label;
    @Option(names = "--labels", paramLabel = "IDX", description = "the labels file of an IDX images file")
    Path labels;
    @Option(names = "--dataset", paramLabel = "NAME", description = "the dataset the samples extend [mnist]")
    String dataset = "mnist";
    @Option(names = "--no-wait", description = "do not wait for the dataset version")
    boolean noWait;
    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "wait at most this long for the samples to land [3m]")
    Duration timeout = Duration.ofMinutes(3);
    @Option(names = "--settle", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "stop waiting when no new version came for this long; keep it above the ingest service's batch wait"
                    + " (30 s), since duplicates and invalid samples never land [45s]")
    Duration settle = Duration.ofSeconds(45);

    /** One sample to send: its id and event. */
    private record Sample(String id, SampleSubmitted event) {
    }

    @Override
    public Integer call() throws Exception {
        Ids.datasetName(dataset);
        List<Sample> samples = collect();
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples found in " + paths);
        }
        StackClient client = stack.connect();
        Optional<JsonNode> before = noWait ? Optional.empty() : latestVersion(client);
        if (!noWait && before.isEmpty()) {
            throw new IllegalArgumentException("no dataset named '" + dataset + "' to extend: ingest a base version first (POST /datasets)");
        }
        PrintStream out = System.out;
        Progress progress = new Progress(out, stack.json);
        send(client, samples, progress);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("dataset", dataset);
        result.put("sent", samples.size());
        if (noWait) {
            if (!stack.printedJson(result, out)) {
                out.printf("sent %d sample(s) to %s%n", samples.size(), Topics.SAMPLES_SUBMITTED);
            }
            return 0;
        }
        awaitVersions(client, before.get(), samples.size(), result, progress);
        if (!stack.printedJson(result, out)) {
            int landed = (int) result.get("landed");
            out.printf("sent %d sample(s); '%s' grew by %d training image(s) in %s, now version %s (%d training images)%n",
                    samples.size(), dataset, landed, result.get("versions"), result.get("latest"), (int) result.get("trainCount"));
            if (landed < samples.size()) {
                out.printf("%d fewer than sent: duplicates of samples the dataset has, invalid ones (./pipeline dlq list %s),"
                        + " or a batch still waiting (the ingest service batches for up to 30 s)%n",
                        samples.size() - landed, Topics.SAMPLES_SUBMITTED);
            }
        }
        return 0;
    }

    private List<Sample> collect() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(PublishCommand::isImage).sorted().toList()) {
                        String dir = f.getParent().getFileName().toString();
                        if (!dir.matches("[0-9]")) {
                            throw new IllegalArgumentException(f + ": images in a folder must be in <label>/ subfolders named 0-9");
                        }
                        samples.add(image(f, Integer.parseInt(dir)));
                    }
                }
            } else if (isImage(path)) {
                if (label == null) {
                    throw new IllegalArgumentException(path + ": give its digit with --label");
                }
                samples.add(image(path, label));
            } else if (Files.isRegularFile(path)) {
                samples.addAll(idx(path));
            } else {
                throw new IllegalArgumentException(path + " does not exist");
            }
        }
        return samples;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_TYPES.stream().anyMatch(name::endsWith);
    }

    private Sample image(Path file, int digit) throws IOException {
        if (digit < 0 || digit > 9) {
            throw new IllegalArgumentException("label " + digit + " is not a digit 0-9");
        }
        byte[] bytes = Files.readAllBytes(file);
        String id = sampleId(digit, bytes);
        return new Sample(id, new SampleSubmitted(id, digit, null, Base64.getEncoder().encodeToString(bytes), dataset));
    }

    private List<Sample> idx(Path images) throws IOException {
        if (labels == null) {
            throw new IllegalArgumentException(images + ": an IDX images file needs its labels file (--labels)");
        }
        Idx.Images read = Idx.readImages(Files.readAllBytes(images), images.toString());
        byte[] digits = Idx.readLabels(Files.readAllBytes(labels), labels.toString());
        if (digits.length != read.count()) {
            throw new IllegalArgumentException(images + " has " + read.count() + " images but " + labels + " " + digits.length + " labels");
        }
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < digits.length; i++) {
            byte[] pixels = java.util.Arrays.copyOfRange(read.pixels(), i * Idx.PIXELS, (i + 1) * Idx.PIXELS);
            String id = sampleId(digits[i], pixels);
            samples.add(new Sample(id, new SampleSubmitted(id, (int) digits[i], Base64.getEncoder().encodeToString(pixels), null, dataset)));
        }
        return samples;
    }

    private String sampleId(int digit, byte[] content) {
        byte[] labelled = new byte[content.length + 1];
        labelled[0] = (byte) digit;
        System.arraycopy(content, 0, labelled, 1, content.length);
        return dataset + "-" + Sha256.hex(labelled).substring(0, 32);
    }

    private void send(StackClient client, List<Sample> samples, Progress progress) throws Exception {
        Properties p = client.publisherKafka().properties();
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        p.put("acks", "all");
        p.put("linger.ms", "20");
        p.put("max.block.ms", "30000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            List<Future<?>> pending = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < samples.size(); i++) {
                SampleSubmitted event = samples.get(i).event();
                pending.add(producer.send(new ProducerRecord<>(Topics.SAMPLES_SUBMITTED, event.key(), Json.write(event))));
                progress.show("publishing", i + 1, samples.size(), start);
            }
            for (Future<?> f : pending) {
                f.get(); // a refused write (no credentials, no ACL) surfaces here with Kafka's reason
            }
            progress.done();
        }
    }

    /** Polls the dataset until the samples landed, nothing new came for a while, or the time is up. */
    private void awaitVersions(StackClient client, JsonNode before, int sent, Map<String, Object> result, Progress progress)
            throws InterruptedException {
        int baseCount = before.path("trainCount").asInt();
        JsonNode latest = before;
        long start = System.nanoTime(), deadline = start + timeout.toNanos(), lastChange = start;
        while (true) {
            Optional<JsonNode> now = latestVersion(client);
            if (now.isPresent() && !now.get().path("datasetId").asText().equals(latest.path("datasetId").asText())) {
                latest = now.get();
                lastChange = System.nanoTime();
            }
            int landed = latest.path("trainCount").asInt() - baseCount;
            progress.show("landing", Math.min(landed, sent), sent, start);
            long t = System.nanoTime();
            if (landed >= sent || t > deadline || t - lastChange > settle.toNanos()) {
                progress.done();
                result.put("landed", landed);
                result.put("versions", versionsSince(client, before, latest));
                result.put("latest", latest.path("datasetId").asText());
                result.put("trainCount", latest.path("trainCount").asInt());
                return;
            }
            Thread.sleep(1000);
        }
    }

    private Optional<JsonNode> latestVersion(StackClient client) {
        List<JsonNode> versions = new ArrayList<>();
        client.get(StackClient.INGEST, "/datasets").forEach(d -> {
            if (dataset.equals(d.path("name").asText())) {
                versions.add(d);
            }
        });
        return versions.stream().max(java.util.Comparator.comparing((JsonNode d) -> d.path("createdAt").asText()));
    }

    /** The versions between {@code before} (excluded) and {@code latest}, oldest first. */
    private static List<String> versionsSince(StackClient client, JsonNode before, JsonNode latest) {
        Map<String, String> parents = new LinkedHashMap<>();
        client.get(StackClient.INGEST, "/datasets").forEach(d -> parents.put(d.path("datasetId").asText(), d.path("parentId").asText(null)));
        List<String> chain = new ArrayList<>();
        for (String id = latest.path("datasetId").asText(); id != null && !id.equals(before.path("datasetId").asText()); id = parents.get(id)) {
            chain.add(0, id);
        }
        return chain;
    }

    /** A progress bar on a terminal; a line now and then otherwise; nothing with --json. */
    private static final class Progress {
        private final PrintStream out;
        private final boolean quiet;
        private final boolean terminal = System.console() != null;
        private long lastLine;

        Progress(PrintStream out, boolean quiet) {
            this.out = out;
            this.quiet = quiet;
        }

        void show(String what, int done, int total, long startNanos) {
            if (quiet) {
                return;
            }
            long now = System.nanoTime();
            if (!terminal && now - lastLine < 2_000_000_000L && done < total) {
                return;
            }
            lastLine = now;
            int filled = total == 0 ? 20 : (int) (20L * done / total);
            double rate = done / Math.max(1e-3, (now - startNanos) / 1e9);
            String line = String.format("%-10s [%s%s] %d/%d (%,.0f/s)", what, "#".repeat(filled), "-".repeat(20 - filled), done, total, rate);
            if (terminal) {
                out.print("\r" + line);
                out.flush();
            } else {
                out.println(line);
            }
        }

        void done() {
            if (!quiet && terminal) {
                out.println();
            }
        }
    }
}
