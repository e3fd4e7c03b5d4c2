package dev.mnistpipeline.evaluator.model;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.concurrent.ExecutionException;

/** The batcher on a stand-in model whose "probability" is the image's first pixel, so every answer can be traced back. */
class PredictionBatcherTest {
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private PredictionBatcher batcher;

    /** A model call that takes {@code millis} however many images it holds, as a real one nearly does. */
    private PredictionBatcher start(int maxBatch, Duration maxWait, long millis) {
        batcher = new PredictionBatcher((modelId, images) -> {
            batchSizes.add(images.size());
            sleep(millis);
            float[][] out = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                out[i] = new float[]{images.get(i)[0]};
            }
            return out;
        }, new SimpleMeterRegistry(), maxBatch, maxWait, Duration.ofSeconds(30));
        batcher.start();
        return batcher;
    }

    @AfterEach
    void stop() {
        if (batcher != null) {
            batcher.stop();
        }
    }

    @Test
    void concurrentRequestsShareModelCallsAndEachGetsItsOwnAnswer() throws Exception {
        start(8, Duration.ofMillis(2), 20);
        int requests = 48;
        ExecutorService clients = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PredictionBatcher.Scored>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            byte value = (byte) i;
            answers.add(clients.submit(() -> {
                go.await();
                return batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{value}));
            }));
        }
        go.countDown();
        for (int i = 0; i < requests; i++) {
            PredictionBatcher.Scored scored = answers.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(i, (int) scored.probabilities()[0], "request " + i + " got another request's answer");
            assertEquals(i, scored.pixels()[0]);
            assertTrue(scored.batchSize() >= 1 && scored.batchSize() <= 8);
        }
        clients.shutdown();
        assertEquals(requests, batchSizes.stream().mapToInt(Integer::intValue).sum(), "every image scored exactly once");
        assertTrue(batchSizes.stream().allMatch(size -> size <= 8), "max-batch respected: " + batchSizes);
        assertTrue(batchSizes.size() <= requests / 2, "16 concurrent clients should share model calls: " + batchSizes);
    }

    @Test
    void theImagesOfOneRequestShareModelCallsAndComeBackInOrder() {
        start(8, Duration.ofMillis(2), 5);
        List<byte[]> images = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            images.add(new byte[]{(byte) i});
        }
        List<PredictionBatcher.Scored> scored = batcher.scoreAll("model-test", images);
        assertEquals(20, scored.size());
        for (int i = 0; i < 20; i++) {
            assertEquals(i, (int) scored.get(i).probabilities()[0], "image " + i + " got another image's answer");
        }
        assertEquals(20, batchSizes.stream().mapToInt(Integer::intValue).sum(), "every image scored exactly once");
        assertTrue(batchSizes.size() <= 10, "queued together, they share model calls: " + batchSizes);
    }

    @Test
    void aLoneRequestDoesNotWaitForCompany() {
        start(32, Duration.ofSeconds(5), 0);
        for (int i = 0; i < 5; i++) {
            long begin = System.nanoTime();
            PredictionBatcher.Scored scored = batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{7}));
            assertEquals(1, scored.batchSize());
            assertTrue(System.nanoTime() - begin < Duration.ofSeconds(2).toNanos(), "a lone request waited for max-wait");
        }
    }

    @Test
    void aFailedModelCallFailsItsRequestsAndTheBatcherKeepsServing() {
        batcher = new PredictionBatcher((modelId, images) -> {
            if (images.get(0)[0] == 13) {
                throw new IllegalStateException("model call failed");
            }
            return new float[images.size()][1];
        }, new SimpleMeterRegistry(), 4, Duration.ZERO, Duration.ofSeconds(30));
        batcher.start();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{13})));
        assertEquals("model call failed", e.getMessage());
        assertEquals(1, batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{1})).batchSize());
    }

    @Test
    void aDecodingErrorReachesItsCallerAndNothingIsQueued() {
        start(4, Duration.ofMillis(1), 0);
        assertThrows(IllegalArgumentException.class, () -> batcher.score(() -> {
            throw new IllegalArgumentException("not an image");
        }));
        assertEquals(1, batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{2})).batchSize());
        assertEquals(List.of(1), batchSizes);
    }

    @Test
    void stoppingAnswersTheRequestsStillWaiting() throws Exception {
        start(1, Duration.ZERO, 300);
        ExecutorService clients = Executors.newFixedThreadPool(3);
        List<Future<PredictionBatcher.Scored>> answers = new ArrayList<>();
        CountDownLatch decoded = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            byte value = (byte) i;
            answers.add(clients.submit(() -> batcher.score(() -> {
                decoded.countDown();
                return new PredictionBatcher.Input("model-test", new byte[]{value});
            })));
        }
        assertTrue(decoded.await(10, TimeUnit.SECONDS));
        Thread.sleep(100); // one in the model call, two queued behind it (max-batch 1)
        batcher.stop();
        int failed = 0;
        for (Future<PredictionBatcher.Scored> answer : answers) {
            try {
                answer.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertTrue(e.getCause().getMessage().contains("shutting down"), e.getCause().getMessage());
                failed++;
            }
        }
        assertTrue(failed >= 1, "the queued requests were answered with an error, not left waiting");
        clients.shutdown();
    }

    @Test
    void anErrorThatIsNotAnExceptionFailsItsBatchOnlyAndTheDispatcherLives() {
        batcher = new PredictionBatcher((modelId, images) -> {
            if (images.get(0)[0] == 13) {
                throw new AssertionError("native library failure");
            }
            return new float[images.size()][1];
        }, new SimpleMeterRegistry(), 4, Duration.ZERO, Duration.ofSeconds(30));
        batcher.start();
        assertThrows(IllegalStateException.class, () -> batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{13})));
        assertEquals(1, batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{1})).batchSize(), "the dispatcher survived the Error");
    }

    @Test
    void aModelCallThatNeverReturnsIsAnsweredWithATimeout() {
        CountDownLatch never = new CountDownLatch(1);
        batcher = new PredictionBatcher((modelId, images) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new float[images.size()][1];
        }, new SimpleMeterRegistry(), 4, Duration.ZERO, Duration.ofMillis(300));
        batcher.start();
        long begin = System.nanoTime();
        PredictionBatcher.NotServedException e = assertThrows(PredictionBatcher.NotServedException.class,
                () -> batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{1})));
        assertEquals("timeout", e.code);
        assertTrue(System.nanoTime() - begin < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void aRequestAfterStopIsAnsweredAtOnce() {
        start(4, Duration.ZERO, 0);
        batcher.stop();
        PredictionBatcher.NotServedException e = assertThrows(PredictionBatcher.NotServedException.class,
                () -> batcher.score(() -> new PredictionBatcher.Input("model-test", new byte[]{1})));
        assertEquals("shutting_down", e.code);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> start(0, Duration.ZERO, 0));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void requestsForDifferentVersionsInOneBatchAreScoredByTheirOwnVersion() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        batcher = new PredictionBatcher((modelId, images) -> {
            calls.add(modelId + "x" + images.size());
            sleep(30);
            float[][] out = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                out[i] = new float[]{images.get(i)[0] + (modelId.equals("model-b") ? 100 : 0)};
            }
            return out;
        }, new SimpleMeterRegistry(), 16, Duration.ofMillis(20), Duration.ofSeconds(30));
        batcher.start();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<PredictionBatcher.Scored>> answers = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                byte value = (byte) i;
                String version = i % 2 == 0 ? "model-a" : "model-b";
                answers.add(clients.submit(() -> batcher.score(() -> new PredictionBatcher.Input(version, new byte[]{value}))));
            }
            for (int i = 0; i < 16; i++) {
                PredictionBatcher.Scored scored = answers.get(i).get();
                String version = i % 2 == 0 ? "model-a" : "model-b";
                assertEquals(version, scored.modelId());
                assertEquals(i + (version.equals("model-b") ? 100 : 0), scored.probabilities()[0], 1e-6, "request " + i);
            }
        } finally {
            clients.shutdownNow();
        }
        assertTrue(calls.stream().allMatch(c -> c.startsWith("model-a") || c.startsWith("model-b")), calls.toString());
    }
}
