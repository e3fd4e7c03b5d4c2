package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.ProgressBar;
import dev.mnistpipeline.stack.client.StackClient;
import dev.mnistpipeline.cli.samples.DatasetGrowth;
import dev.mnistpipeline.cli.samples.SampleFiles;
import dev.mnistpipeline.cli.samples.SamplePublisher;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.messaging.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code ./pipeline publish PATH...}: labelled samples onto {@code samples.submitted}, as the samples publisher (the
 * one Kafka user that may write it, and nothing else), then the dataset version(s) they became. Inputs: folders laid
 * out as {@code <label>/<image>}, single images with {@code --label}, or an IDX images file with {@code --labels}.
 * A sample's id is its content's hash, so publishing the same files again adds nothing. What it reports as landed is
 * how much the dataset grew meanwhile (another publisher's samples count too). The work is in {@code cli.samples}:
 * reading ({@link SampleFiles}), sending ({@link SamplePublisher}), watching the dataset grow ({@link DatasetGrowth}).
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publish labelled samples to Kafka (samples.submitted) and wait for the dataset version they become.")
final class PublishCommand implements Callable<Integer> {
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

    @Override
    public Integer call() throws Exception {
        Ids.datasetName(dataset);
        List<SampleSubmitted> samples = new SampleFiles(dataset).read(paths, label, labels);
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples found in " + paths);
        }
        StackClient client = stack.connect();
        DatasetGrowth growth = new DatasetGrowth(client, dataset);
        Optional<JsonNode> before = noWait ? Optional.empty() : growth.latestVersion();
        if (!noWait && before.isEmpty()) {
            throw new IllegalArgumentException("no dataset named '" + dataset + "' to extend: ingest a base version first (POST /datasets)");
        }
        PrintStream out = System.out;
        ProgressBar progress = new ProgressBar(out, stack.json);
        new SamplePublisher(client.publisherKafka()).send(samples, progress);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("dataset", dataset);
        result.put("sent", samples.size());
        if (noWait) {
            if (!stack.printedJson(result, out)) {
                out.printf("sent %d sample(s) to %s%n", samples.size(), Topics.SAMPLES_SUBMITTED);
            }
            return 0;
        }
        DatasetGrowth.Landed landed = growth.await(before.get(), samples.size(), timeout, settle, progress);
        result.put("landed", landed.landed());
        result.put("versions", landed.versions());
        result.put("latest", landed.latest());
        result.put("trainCount", landed.trainCount());
        if (!stack.printedJson(result, out)) {
            out.printf("sent %d sample(s); '%s' grew by %d training image(s) in %s, now version %s (%d training images)%n",
                    samples.size(), dataset, landed.landed(), landed.versions(), landed.latest(), landed.trainCount());
            if (landed.landed() < samples.size()) {
                out.printf("%d fewer than sent: duplicates of samples the dataset has, invalid ones (./pipeline dlq list %s),"
                        + " or a batch still waiting (the ingest service batches for up to 30 s)%n",
                        samples.size() - landed.landed(), Topics.SAMPLES_SUBMITTED);
            }
        }
        return 0;
    }
}
