package dev.mnistpipeline.stack.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.quarkus.Roles;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The evaluator's live event stream ({@code GET /dashboard/events}, server-sent events, a viewer's token) as the
 * CLI follows it: training metrics, evaluations and gate decisions as they are published. Needs no Kafka
 * credentials, so it works against a cluster through its HTTP endpoint alone. Events that arrive while the caller
 * is busy are buffered, not lost.
 */
public final class DashboardEvents implements AutoCloseable {
    /** One event: its topic and the event as published. */
    public record Event(String topic, JsonNode value) {
    }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Marks the end of the stream in the queue. */
    private static final Event END = new Event("", null);
    private final Stream<String> lines;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean ended;

    private DashboardEvents(Stream<String> lines) {
        this.lines = lines;
        Thread reader = new Thread(this::read, "dashboard-events");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("data:")) {
                    JsonNode feed = Json.tree(line.substring(5).trim());
                    events.add(new Event(feed.path("topic").asText(), Json.tree(feed.path("json").asText())));
                }
            }
        } catch (RuntimeException e) {
            // the stream was closed or broke: the caller sees the end
        } finally {
            events.add(END);
        }
    }

    /** Connects and returns once the stream is open, so nothing published after this call is missed. */
    public static DashboardEvents open(StackClient stack) {
        try {
            HttpResponse<Stream<String>> r = CLIENT.send(stack.request(StackClient.EVALUATOR, "/dashboard/events", Roles.VIEWER)
                    .timeout(Duration.ofDays(1)).header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                String body = String.join("\n", r.body().limit(5).toList());
                r.body().close();
                throw new IllegalStateException("the evaluator's event stream answered " + r.statusCode() + ": " + body);
            }
            return new DashboardEvents(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach the evaluator at " + stack.url(StackClient.EVALUATOR) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next event within {@code wait}; empty when none came in time. */
    public Optional<Event> next(Duration wait) throws InterruptedException {
        if (ended) {
            return Optional.empty();
        }
        Event e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (e == END) {
            ended = true;
            return Optional.empty();
        }
        return Optional.ofNullable(e);
    }

    /** Whether the evaluator closed the stream (it stopped or restarted). */
    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        lines.close();
    }
}
