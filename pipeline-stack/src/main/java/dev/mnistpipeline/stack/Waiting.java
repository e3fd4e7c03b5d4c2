package dev.mnistpipeline.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a part of a stack to become ready: fails at once when the part has died, and with its log tail when
 * the time is up, so a start that cannot succeed says why.
 */
public final class Waiting {
    private static final Duration POLL = Duration.ofMillis(250);

    /** One try: true when ready; an exception counts as not yet (the last one is kept for the timeout's message). */
    public interface Attempt {
        boolean ready() throws Exception;
    }

    private Waiting() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier alive, Attempt attempt, Supplier<String> logTail) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            if (!alive.getAsBoolean()) {
                throw new IllegalStateException(what + " exited during startup:\n" + logTail.get());
            }
            try {
                if (attempt.ready()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (Exception notYet) {
                last = notYet;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " not ready within " + timeout.toSeconds() + " s:\n" + logTail.get(), last);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Whether a service at {@code baseUrl} reports ready ({@code GET /q/health/ready} answers 200). */
    public static boolean healthReady(HttpClient http, String baseUrl) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/q/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }
}
