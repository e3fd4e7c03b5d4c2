package dev.mnistpipeline.stack.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small JSON-over-HTTP helpers for talking to the services. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Status and body of a response. */
    public record Reply(int status, String body) {
        public Reply requireSuccess(String what) {
            if (status / 100 != 2) {
                throw new IllegalStateException(what + " failed with HTTP " + status + ": " + body);
            }
            return this;
        }
    }

    /** Sent as {@code Authorization: Bearer} with every request that sets none; null sends none. */
    private static volatile String token;

    private Http() {
    }

    /** The API token this process's requests carry from now on (the stack's, or one from {@code stack.env}). */
    public static void useToken(String apiToken) {
        token = apiToken;
    }

    /** The header value for clients that build their own requests ({@code null} when there is no token). */
    public static String authorization() {
        String t = token;
        return t == null ? null : "Bearer " + t;
    }

    /** A request exactly as given, without the process's token (tests of refusals). */
    public static Reply sendAnonymous(HttpRequest request) {
        HttpResponse<String> r = exchange(request, HttpResponse.BodyHandlers.ofString(), false);
        return new Reply(r.statusCode(), r.body());
    }

    public static Reply postJson(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(15)).POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public static Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1)).GET().build());
    }

    public static Reply send(HttpRequest request) {
        HttpResponse<String> r = exchange(request, HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    /** The body of a successful response as bytes (images); fails on any other status. */
    public static byte[] sendBytes(HttpRequest request) {
        HttpResponse<byte[]> r = exchange(request, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered HTTP " + r.statusCode());
        }
        return r.body();
    }

    private static <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return exchange(request, handler, true);
    }

    private static <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler, boolean withToken) {
        String authorization = authorization();
        if (withToken && authorization != null && request.headers().firstValue("Authorization").isEmpty()) {
            request = HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", authorization).build();
        }
        try {
            return CLIENT.send(request, handler);
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
