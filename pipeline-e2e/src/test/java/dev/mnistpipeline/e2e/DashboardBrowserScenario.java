package dev.mnistpipeline.e2e;

import java.net.http.HttpRequest;
import java.net.URI;
import org.openqa.selenium.support.ui.Select;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.stack.client.EventStream;
import dev.mnistpipeline.stack.client.Http;
import dev.mnistpipeline.stack.ServiceStack;
import dev.mnistpipeline.common.quarkus.Roles;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.manifest.EvaluationReport;
import dev.mnistpipeline.common.messaging.Topics;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run}
 * installs them): the page loads, follows a short training run live over server-sent events, renders the
 * confusion matrix with the report's values, and shows predictions for a drawn and an uploaded digit.
 */
final class DashboardBrowserScenario {
    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
    static final String RUN_ID = "dashboard-live";

    private DashboardBrowserScenario() {
    }

    /** The run ids the run list shows, in order (read in one script: the table is re-rendered on events). */
    @SuppressWarnings("unchecked")
    private static List<String> rows(WebDriver browser) {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#runs tbody tr[data-run]')].map(r => r.dataset.run)");
    }

    static void run(ServiceStack stack, EventStream events, EvaluationReport report, byte[] testImages, Path workDir) throws Exception {
        assertTrue(Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER)),
                "the dashboard test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)");
        String evaluator = stack.url("evaluator-service");
        // Prediction traffic throughout: the champion may change under it, and no request may fail.
        byte[] digit = Arrays.copyOfRange(testImages, 0, Idx.PIXELS);
        AtomicBoolean trafficOn = new AtomicBoolean(true);
        List<String> trafficFailures = new CopyOnWriteArrayList<>();
        Set<String> servedBy = ConcurrentHashMap.newKeySet();
        Thread traffic = new Thread(() -> {
            while (trafficOn.get()) {
                Http.Reply r = ServingScenario.predict(evaluator, digit, "application/octet-stream");
                if (r.status() != 200) {
                    trafficFailures.add(r.status() + " " + r.body());
                } else {
                    servedBy.add(Json.tree(r.body()).path("modelId").asText());
                }
                sleepQuietly(100);
            }
        }, "prediction-traffic");
        traffic.setDaemon(true);
        traffic.start();
        WebDriver browser = start(workDir);
        try {
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(3), Duration.ofMillis(50));

            // 1. The page loads, connects to the event stream and shows the registry with its champion.
            browser.get(evaluator + "/");
            assertEquals("mnist-pipeline dashboard", browser.getTitle());
            // Signed out, the page asks for a token; a wrong one is refused; a predictor's opens everything it uses.
            wait.until(d -> d.findElement(By.id("signin")).isDisplayed());
            signIn(browser, "mp_viewer_not-a-token");
            wait.until(d -> d.findElement(By.id("signin")).isDisplayed()
                    && d.findElement(By.id("signin-message")).getText().contains("refused"));
            String token = stack.tokens().token(Roles.PREDICTOR);
            signIn(browser, token);
            assertFalse(browser.getCurrentUrl().contains(token), "no token in the URL");
            wait.until(d -> "open".equals(d.findElement(By.id("connection")).getDomAttribute("data-state")));
            wait.until(d -> report.modelId().equals(d.findElement(By.id("champion")).getDomAttribute("data-model")));

            // 2. Live curves: a short run started now appears, advances while it trains, and completes.
            Http.postJson(stack.url("trainer-service") + "/trainings", Json.write(Map.of("runId", RUN_ID,
                    "hyperparameters", Map.of("epochs", 2, "batchSize", 32)))).requireSuccess("training request");
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            String status = "";
            while (!status.equals("completed") && System.nanoTime() < deadline) {
                // Read in one script: the table is re-rendered on every event, so element handles go stale.
                String observation = (String) ((JavascriptExecutor) browser).executeScript(
                        "const r = document.querySelector(\"#runs tr[data-run='" + RUN_ID + "']\");"
                                + "return r ? r.dataset.status + '@' + r.dataset.progress : null;");
                if (observation != null) {
                    status = observation.substring(0, observation.indexOf('@'));
                    if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(observation)) {
                        seen.add(observation);
                    }
                    assertFalse(status.equals("failed"), "run failed: " + seen);
                }
                Thread.sleep(50);
            }
            assertEquals("completed", status, "progress seen: " + seen);
            long runningUpdates = seen.stream().filter(s -> s.startsWith("training@")).map(s -> s.substring(9))
                    .filter(p -> Double.parseDouble(p) > 0 && Double.parseDouble(p) < 1).count();
            assertTrue(runningUpdates >= 2, "the page must show the run advancing while it trains: " + seen);
            WebElement curve = browser.findElement(By.id("curve"));
            assertEquals(RUN_ID, curve.getDomAttribute("data-run"));
            assertTrue(Integer.parseInt(curve.getDomAttribute("data-points")) >= 3, "step points on the live curve");
            assertEquals("2", curve.getDomAttribute("data-epochs"));
            assertTrue(Integer.parseInt(browser.findElement(By.id("live-count")).getDomAttribute("data-count")) > 5);

            // 2b. Run history: the list is the API's, searchable and filterable; runs ticked are overlaid (uPlot) and
            // placed on a hyperparameter-against-accuracy chart.
            JavascriptExecutor js = (JavascriptExecutor) browser;
            String firstRun = report.modelId().substring("model-".length());
            browser.findElement(By.id("runs-q")).sendKeys(RUN_ID);
            wait.until(d -> rows(d).equals(List.of(RUN_ID)));
            browser.findElement(By.id("runs-q")).clear();
            js.executeScript("document.getElementById('runs-q').dispatchEvent(new Event('input'))");
            wait.until(d -> rows(d).containsAll(List.of(RUN_ID, firstRun)));
            for (String run : List.of(RUN_ID, firstRun)) {
                wait.ignoring(StaleElementReferenceException.class).until(d -> {
                    d.findElement(By.cssSelector("#runs tr[data-run='" + run + "'] input.pick")).click();
                    return true;
                });
            }
            wait.until(d -> "2".equals(d.findElement(By.id("overlay")).getDomAttribute("data-series")));
            assertTrue((Boolean) js.executeScript("return typeof uPlot === 'function' && !!document.querySelector('#overlay canvas')"),
                    "the overlay is drawn by uPlot");
            new Select(browser.findElement(By.id("overlay-metric"))).selectByValue("validationAccuracy");
            new Select(browser.findElement(By.id("overlay-x"))).selectByValue("epoch");
            wait.until(d -> "2".equals(d.findElement(By.id("overlay")).getDomAttribute("data-series"))
                    && Integer.parseInt(d.findElement(By.id("overlay")).getDomAttribute("data-points")) >= 3);
            wait.until(d -> "2".equals(d.findElement(By.id("hparams")).getDomAttribute("data-points")));
            // A tag set over the API (an operator's) filters the list.
            Http.Reply tagged = Http.send(HttpRequest.newBuilder(URI.create(evaluator + "/runs/" + RUN_ID))
                    .header("Authorization", "Bearer " + stack.tokens().token(Roles.OPERATOR)).header("Content-Type", "application/json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"addTags\":[\"browser-live\"],\"note\":\"followed live\"}"))
                    .build());
            assertEquals(200, tagged.status(), tagged.body());
            browser.findElement(By.id("runs-tag")).sendKeys("browser-live");
            wait.until(d -> rows(d).equals(List.of(RUN_ID)));
            browser.findElement(By.id("runs-tag")).clear();
            js.executeScript("document.getElementById('runs-tag').dispatchEvent(new Event('input'))");

            // 3. The confusion matrix of the first model shows the report's counts in every cell.
            String row = "#models tr[data-model='" + report.modelId() + "']";
            wait.ignoring(StaleElementReferenceException.class)
                    .until(d -> { d.findElement(By.cssSelector(row)).click(); return true; });
            wait.until(d -> report.evaluationId().equals(d.findElement(By.id("evaluation")).getDomAttribute("data-evaluation")));
            @SuppressWarnings("unchecked")
            List<List<String>> cells = (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                    "return [...Array(10).keys()].map(t => [...Array(10).keys()].map(p =>"
                            + " document.querySelector(`#confusion td[data-true='${t}'][data-pred='${p}']`).textContent));");
            for (int t = 0; t < 10; t++) {
                for (int p = 0; p < 10; p++) {
                    assertEquals(Integer.toString(report.confusionMatrix()[t][p]), cells.get(t).get(p), "cell " + t + "," + p);
                }
            }
            assertEquals(report.misclassified().size(), browser.findElements(By.cssSelector("#gallery img")).size());

            // 3b. Two models side by side: every cell of the confusion-matrix difference is B's count minus A's.
            wait.until(d -> d.findElement(By.id("compare")).getDomAttribute("data-pair") != null);
            String[] pair = browser.findElement(By.id("compare")).getDomAttribute("data-pair").split("\\|");
            int[][] a = Json.MAPPER.convertValue(Json.tree(Http.get(stack.url("evaluator-service") + "/evaluations/eval-" + pair[0])
                    .requireSuccess("report A").body()).path("confusionMatrix"), int[][].class);
            int[][] b = Json.MAPPER.convertValue(Json.tree(Http.get(stack.url("evaluator-service") + "/evaluations/eval-" + pair[1])
                    .requireSuccess("report B").body()).path("confusionMatrix"), int[][].class);
            @SuppressWarnings("unchecked")
            List<List<String>> deltas = (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                    "return [...Array(10).keys()].map(t => [...Array(10).keys()].map(p =>"
                            + " document.querySelector(`#compare-confusion td[data-true='${t}'][data-pred='${p}']`).dataset.delta));");
            for (int t = 0; t < 10; t++) {
                for (int p = 0; p < 10; p++) {
                    assertEquals(Integer.toString(b[t][p] - a[t][p]), deltas.get(t).get(p), "difference " + t + "," + p + " of " + pair[1] + " - " + pair[0]);
                }
            }
            assertEquals(10, browser.findElements(By.cssSelector("#compare-classes tr[data-class]")).size(), "per-class rows");
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "return [...document.querySelectorAll('#gallery img')].every(i => i.complete && i.naturalWidth === 28)"));

            // 4. A digit drawn on the canvas gets a prediction from the champion.
            WebElement canvas = browser.findElement(By.id("draw"));
            new Actions(browser).moveToElement(canvas, 0, -100).clickAndHold()
                    .moveByOffset(0, 50).moveByOffset(0, 50).moveByOffset(0, 50).moveByOffset(0, 50).release().perform();
            awaitPrediction(browser, "the drawn digit");
            String drawnTop3 = browser.findElements(By.cssSelector("#prediction [data-rank-label]")).stream()
                    .map(e -> e.getDomAttribute("data-rank-label")).toList().toString();
            assertTrue(drawnTop3.contains("1"), "a vertical stroke is a 1 among the top 3: " + drawnTop3);

            // 5. An uploaded image gets the same prediction as the REST API gives for it.
            byte[] photo = ServingScenario.asPhoto(Arrays.copyOfRange(testImages, 0, Idx.PIXELS));
            Path file = workDir.resolve("digit.png");
            Files.write(file, photo);
            String expected = Json.tree(ServingScenario.predict(evaluator, photo, "image/png").requireSuccess("predict").body())
                    .path("top").get(0).path("label").asText();
            browser.findElement(By.id("clear")).click();
            browser.findElement(By.id("upload")).sendKeys(file.toAbsolutePath().toString());
            wait.until(d -> expected.equals(d.findElement(By.id("prediction")).getDomAttribute("data-label")));
            // 6. The monitoring view lists the version that answered, with its drift windows (refreshed every 5 s).
            wait.until(d -> !d.findElements(By.cssSelector("#monitoring tr[data-model='" + report.modelId() + "']")).isEmpty());
            assertTrue(browser.findElement(By.id("monitoring-empty")).getDomProperty("hidden").equals("true"));
            // What the page looked like, kept with the build output for humans.
            Files.write(Path.of("target", "dashboard-screenshot.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }

        // 7. The live run's model went through the gate too: one decision, and still exactly one champion.
        String modelId = "model-" + RUN_ID;
        EventStream.Event decision = events.awaitAny(List.of(Topics.MODEL_PROMOTED, Topics.MODEL_REJECTED),
                e -> modelId.equals(e.key()), Duration.ofMinutes(3));
        JsonNode registry = Json.tree(Http.get(evaluator + "/models").requireSuccess("models").body());
        assertEquals(2, registry.path("models").size());
        long champions = 0;
        for (JsonNode m : registry.path("models")) {
            champions += m.path("champion").asBoolean() ? 1 : 0;
        }
        assertEquals(1, champions);
        String expectedChampion = decision.topic().equals(Topics.MODEL_PROMOTED) ? modelId : report.modelId();
        assertEquals(expectedChampion, registry.path("champion").path("modelId").asText());
        // Serving follows the champion without a failed request.
        long deadline2 = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!servedBy.contains(expectedChampion) && System.nanoTime() < deadline2) {
            Thread.sleep(100);
        }
        trafficOn.set(false);
        traffic.join();
        assertTrue(servedBy.contains(expectedChampion), "predictions served by " + servedBy);
        assertEquals(List.of(), trafficFailures, "predictions failed while the champion changed");
    }

    /**
     * Clicks Predict and waits for the prediction. An error shown instead fails at once with what the page says. If
     * nothing at all has come back after a minute, the click is repeated once, as a user would, and the first
     * miss is printed (a full run once saw no answer within 180 s, cause unknown); a second miss fails with what the
     * page showed (the prediction area, whether the sign-in dialog came back, the connection state).
     */
    private static void awaitPrediction(WebDriver browser, String what) {
        for (int attempt = 1; ; attempt++) {
            browser.findElement(By.id("predict")).click();
            try {
                new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(50)).until(d -> {
                    String label = d.findElement(By.id("prediction")).getDomAttribute("data-label");
                    if ("error".equals(label)) {
                        throw new AssertionError(what + ": the page shows an error: " + d.findElement(By.id("prediction")).getText());
                    }
                    return !label.isEmpty();
                });
                return;
            } catch (org.openqa.selenium.TimeoutException e) {
                String page = "the page shows '" + browser.findElement(By.id("prediction")).getText() + "', sign-in dialog shown: "
                        + browser.findElement(By.id("signin")).isDisplayed() + ", connection: " + browser.findElement(By.id("connection")).getText();
                if (attempt == 2) {
                    throw new AssertionError(what + ": no prediction after two clicks; " + page, e);
                }
                System.out.println("DASHBOARD: no prediction for " + what + " within 60 s, clicking again; " + page);
            }
        }
    }

    private static void signIn(WebDriver browser, String token) {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("signin-submit")).click();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static WebDriver start(Path workDir) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(CHROMIUM));
        // Without the background-networking switches Chromium keeps dialling Google on a closed network.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--window-size=1400,1600",
                "--user-data-dir=" + Files.createTempDirectory(workDir, "chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .withLogFile(workDir.resolve("chromedriver.log").toFile())
                .build();
        return new ChromeDriver(service, options);
    }
}
