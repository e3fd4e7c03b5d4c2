package dev.mnistpipeline.bench.scenarios;

import java.util.regex.Pattern;
import java.util.regex.Matcher;
import java.io.IOException;
import dev.mnistpipeline.bench.support.DataStack;
import dev.mnistpipeline.bench.support.Scenario;
import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.common.events.RunPhase;
import dev.mnistpipeline.common.events.TrainingMetrics;
import dev.mnistpipeline.common.manifest.ModelManifest;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.runs.RunRecord;
import dev.mnistpipeline.common.runs.RunRecords;
import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.ManagedProcess;
import dev.mnistpipeline.stack.run.RunContext;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.trainer.domain.AcceptedRun;
import dev.mnistpipeline.trainer.domain.RunRecorder;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/**
 * Run history at ten thousand runs: records made through the trainer's own writer ({@link RunRecorder}: accepted,
 * started, step reports, epochs, an end) with the evaluator's figures on top; then an evaluator started on them,
 * timed until its index answers, {@code GET /runs} for a filtered, sorted page, the dashboard's first render of the
 * run list in headless Chromium, and the storage per run, against reading one record straight from storage (and
 * what reading them all per request would cost); then a restart, which loads the index from its snapshot.
 */
public final class RunsHistory implements Scenario {
    private static final String[] ARCHITECTURES = {"cnn", "mlp", "lenet", "lstm", "transformer"};
    private static final String LIST = "/runs?architecture=cnn&state=completed&sort=testAccuracy&order=desc&limit=50&offset=100";
    private int runs = 10_000;

    @Override
    public String name() {
        return "runs-history";
    }

    @Override
    public String summary() {
        return "10,000 run records: GET /runs p50/p99, dashboard first render, bytes per run, vs one direct read";
    }

    @Override
    public Needs needs() {
        return Needs.OWN_STACK;
    }

    @Override
    public void options(List<String> args) {
        if (args.size() == 2 && args.get(0).equals("--runs")) {
            runs = Integer.parseInt(args.get(1));
        } else if (!args.isEmpty()) {
            throw new IllegalArgumentException(name() + " takes --runs N, got " + args);
        }
    }

    @Override
    public Map<String, Object> measure(Layout layout, RunContext ignored) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        try (DataStack data = new DataStack(layout, Map.<String, Map<String, String>>of(), 0)) {
            data.store().ensureBucket(); // no service has started yet to make it
            long writeStart = System.nanoTime();
            write(data.store());
            result.put("runs", runs);
            result.put("write_s", round((System.nanoTime() - writeStart) / 1e9));
            List<ObjectStore.Listed> stored = new RunRecords(data.store()).list();
            result.put("bytes_per_run", Math.round(stored.stream().mapToLong(ObjectStore.Listed::size).average().orElse(0)));

            long started = System.nanoTime();
            ManagedProcess evaluator = data.stack().startInstance("evaluator-service", "evaluator-history");
            String url = data.stack().url("evaluator-history");
            String token = data.stack().tokens().token(Roles.VIEWER);
            while (status(url + "/runs?limit=1", token) == 503) {
                Thread.sleep(20);
            }
            result.put("start_to_list_s", round((System.nanoTime() - started) / 1e9));
            result.put("index_load_s", indexLoadSeconds(evaluator.log()));
            double[] list = timeRequests(url + LIST, token, 300);
            result.put("list_p50_ms", round(percentile(list, 0.5)));
            result.put("list_p99_ms", round(percentile(list, 0.99)));
            double[] plain = timeRequests(url + "/runs", token, 100);
            result.put("list_default_page_p50_ms", round(percentile(plain, 0.5)));
            result.put("list_target_p99_ms", 200);
            result.put("direct_read_ms", round(percentile(directReads(data.store(), 300), 0.5)));
            result.put("first_render_ms", firstRender(url, token));
            result.put("list_query", LIST);
            // A restart: the index from the snapshot the first start stored, plus the records changed since (none).
            evaluator.close();
            ManagedProcess restarted = data.stack().startInstance("evaluator-service", "evaluator-history-2");
            String url2 = data.stack().url("evaluator-history-2");
            while (status(url2 + "/runs?limit=1", token) == 503) {
                Thread.sleep(20);
            }
            result.put("index_load_from_snapshot_s", indexLoadSeconds(restarted.log()));
            result.put("records_read_on_restart", recordsRead(restarted.log()));
            result.put("scan_estimate_ms", round(percentile(directReads(data.store(), 100), 0.5) * runs));
            restarted.close();
        }
        return result;
    }

    /** Every run through the trainer's recorder, on 8 threads, with a realistic mix of settings, lengths and ends. */
    private void write(ObjectStore store) throws Exception {
        RunRecorder recorder = new RunRecorder(store);
        RunRecords records = new RunRecords(store);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                int n = i;
                all.add(pool.submit(() -> {
                    oneRun(recorder, records, n);
                    int d = done.incrementAndGet();
                    if (d % 1000 == 0) {
                        System.out.printf("runs-history: %,d of %,d runs recorded%n", d, runs);
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void oneRun(RunRecorder recorder, RunRecords records, int n) {
        Random rnd = new Random(n);
        String runId = String.format("hist-%05d", n);
        String arch = ARCHITECTURES[rnd.nextInt(ARCHITECTURES.length)];
        int epochs = 1 + rnd.nextInt(5);
        int batch = new int[]{32, 64, 128, 256}[rnd.nextInt(4)];
        Hyperparameters hp = Hyperparameters.DEFAULTS.toBuilder().architecture(arch).epochs(epochs).batchSize(batch)
                .learningRate(Math.pow(10, -4 + 2 * rnd.nextDouble())).build();
        boolean fashion = rnd.nextInt(4) == 0;
        String preparedId = String.format("pp-%016x", fashion ? 2 : 1);
        RunRecord.Origin origin = switch (rnd.nextInt(3)) {
            case 0 -> RunRecord.Origin.rest("operator-token");
            case 1 -> RunRecord.Origin.sweep("sweep-" + (n / 20));
            default -> RunRecord.Origin.CONTINUOUS;
        };
        recorder.accepted(new AcceptedRun(runId, preparedId, "0".repeat(64), hp, fashion ? "fashion-mnist" : "mnist"), origin);
        int end = rnd.nextInt(100);
        if (end < 3) {
            recorder.observe(metrics(runId, RunPhase.REFUSED, 0, epochs, 0, 0, 0, null, "epochs over the cap"), null);
            return;
        }
        int stepsPerEpoch = 60_000 / batch;
        long total = (long) stepsPerEpoch * epochs;
        recorder.observe(metrics(runId, RunPhase.STARTED, 0, epochs, 0, total, 0, null, null), null);
        double loss = 2.3;
        List<ModelManifest.EpochSummary> history = new ArrayList<>();
        int lastEpoch = end < 10 ? 1 + rnd.nextInt(epochs) : epochs; // failed or cancelled part way
        for (int e = 1; e <= lastEpoch; e++) {
            for (int s = 25; s <= stepsPerEpoch; s += 25) {
                long step = (long) (e - 1) * stepsPerEpoch + s;
                loss = Math.max(0.01, loss * 0.985 + 0.01 * rnd.nextGaussian());
                recorder.observe(metrics(runId, RunPhase.STEP, e, epochs, step, total, loss, null, null), null);
            }
            double val = Math.min(0.995, 0.9 + 0.02 * e + 0.01 * rnd.nextDouble());
            history.add(new ModelManifest.EpochSummary(e, loss, 1 - loss / 3, val, 20 + rnd.nextDouble()));
            recorder.observe(metrics(runId, RunPhase.EPOCH, e, epochs, (long) e * stepsPerEpoch, total, loss, val, null), null);
        }
        if (end < 10) {
            recorder.observe(metrics(runId, end < 6 ? RunPhase.FAILED : RunPhase.CANCELLED, lastEpoch, epochs, 0, total, 0, null,
                    end < 6 ? "out of memory" : "cancelled by operator-token"), null);
            return;
        }
        double val = history.get(history.size() - 1).validationAccuracy();
        ModelManifest model = new ModelManifest("model-" + runId, runId, null, preparedId, null, "bench", hp, "tensorflow",
                null, null, null, 10, List.of(), null, history, val, 20.0 * epochs, 3000, List.of(), Instant.now(),
                fashion ? "fashion-mnist" : "mnist", null);
        recorder.observe(metrics(runId, RunPhase.COMPLETED, epochs, epochs, total, total, 0, val, null), model);
        // What the evaluator adds once it has scored the model.
        double test = val - 0.002 * rnd.nextDouble();
        records.update(runId, r -> r.withFigures(Map.of(RunRecord.Figures.TEST_ACCURACY, test, RunRecord.Figures.MACRO_F1, test - 0.001),
                null, "eval-model-" + runId, Instant.now()));
    }

    private static TrainingMetrics metrics(String runId, RunPhase phase, int epoch, int epochs, long step, long total,
                                           double loss, Double validation, String message) {
        return new TrainingMetrics(runId, phase, epoch, epochs, step, total, loss, 1 - loss / 3, validation, 3000, message, Instant.now());
    }

    /** What the evaluator logged for loading its index (listing and reading every record), in seconds. */
    private static double indexLoadSeconds(Path log) throws IOException {
        Matcher m = Pattern.compile("Run index: \\d+ runs loaded in (\\d+) ms").matcher(Files.readString(log));
        return m.find() ? round(Long.parseLong(m.group(1)) / 1e3) : -1;
    }

    /** How many records the evaluator read besides its snapshot when it loaded its index (-1: not logged). */
    private static long recordsRead(Path log) throws IOException {
        Matcher m = Pattern.compile("runs loaded in \\d+ ms \\((\\d+) records read").matcher(Files.readString(log));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static int status(String url, String token) {
        return Http.sendAnonymous(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build()).status();
    }

    /** Sequential requests after a warm-up, in milliseconds, sorted. */
    private static double[] timeRequests(String url, String token, int count) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build();
        for (int i = 0; i < 30; i++) {
            Http.sendAnonymous(request).requireSuccess("warm-up");
        }
        double[] ms = new double[count];
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            Http.sendAnonymous(request).requireSuccess("GET /runs");
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** One record read straight from storage, as the index reads it: the in-run reference. */
    private double[] directReads(ObjectStore store, int count) {
        RunRecords records = new RunRecords(store);
        Random rnd = new Random(7);
        for (int i = 0; i < 30; i++) {
            records.find(String.format("hist-%05d", rnd.nextInt(runs))).orElseThrow();
        }
        double[] ms = new double[count];
        for (int i = 0; i < count; i++) {
            String runId = String.format("hist-%05d", rnd.nextInt(runs));
            long t = System.nanoTime();
            records.find(runId).orElseThrow();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** The page's clock when its run list shows a full first page (polled every 5 ms, for at most a minute). */
    private static double renderedAt(WebDriver browser) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            Object t = ((JavascriptExecutor) browser).executeScript(
                    "return document.querySelectorAll('#runs tbody tr[data-run]').length >= 25 ? performance.now() : null");
            if (t != null) {
                return ((Number) t).doubleValue();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the dashboard's run list did not render within a minute");
    }

    /**
     * The dashboard in headless Chromium, signed in: from navigation start until the run list shows its first page
     * (the page's own clock, {@code performance.now()}); the median of 5 loads after one warm-up.
     */
    private static double firstRender(String url, String token) throws Exception {
        String chromium = System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium");
        String driverBin = System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
        if (!Files.isExecutable(Path.of(chromium)) || !Files.isExecutable(Path.of(driverBin))) {
            System.out.println("runs-history: no chromium/chromedriver (apt-get install chromium chromium-driver): first_render_ms not measured");
            return -1;
        }
        Path profile = Files.createTempDirectory("bench-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(chromium));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1400,1600", "--user-data-dir=" + profile);
        WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(driverBin)).build(), options);
        try {
            browser.get(url + "/");
            ((JavascriptExecutor) browser).executeScript("sessionStorage.setItem('mnist-pipeline-token', arguments[0])", token);
            double[] ms = new double[6];
            for (int i = 0; i < ms.length; i++) {
                browser.navigate().refresh();
                ms[i] = renderedAt(browser);
            }
            double[] measured = Arrays.copyOfRange(ms, 1, ms.length);
            Arrays.sort(measured);
            return round(measured[measured.length / 2]);
        } finally {
            browser.quit();
            LocalFiles.deleteTree(profile);
        }
    }
}
