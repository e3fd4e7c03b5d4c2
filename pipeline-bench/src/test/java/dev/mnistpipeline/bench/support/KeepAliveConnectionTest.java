package dev.mnistpipeline.bench.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmark clients' HTTP/1.1 connection against the JDK's own server, on loopback. */
class KeepAliveConnectionTest {
    private HttpServer server;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/fixed", e -> answer(e, 200, "fixed:" + body(e), false, false));
        server.createContext("/chunked", e -> answer(e, 200, "chunked:" + body(e), true, false));
        server.createContext("/closing", e -> answer(e, 200, "closing:" + body(e), false, true));
        server.createContext("/missing", e -> answer(e, 404, "{\"error\":\"no " + body(e) + "\"}", false, false));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void answersWithALengthChunkedOrClosingTheConnectionAllArriveWhole() throws IOException {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        try (KeepAliveConnection connection = new KeepAliveConnection(base)) {
            assertEquals(new KeepAliveConnection.Answer(200, "fixed:one"), post(connection, "/fixed", "one"));
            assertEquals(new KeepAliveConnection.Answer(200, "chunked:two"), post(connection, "/chunked", "two"));
            // the server closes this one after answering: the next request goes on a new connection
            assertEquals(new KeepAliveConnection.Answer(200, "closing:three"), post(connection, "/closing", "three"));
            assertEquals(new KeepAliveConnection.Answer(200, "fixed:four"), post(connection, "/fixed", "four"));
            assertEquals(new KeepAliveConnection.Answer(404, "{\"error\":\"no five\"}"), post(connection, "/missing", "five"));
        }
        assertEquals(List.of("Bearer t", "Bearer t", "Bearer t", "Bearer t", "Bearer t"), seen);
    }

    private static KeepAliveConnection.Answer post(KeepAliveConnection connection, String path, String body) throws IOException {
        return connection.post(path, "text/plain", "Bearer t", body.getBytes(StandardCharsets.UTF_8));
    }

    private String body(HttpExchange e) throws IOException {
        seen.add(e.getRequestHeaders().getFirst("Authorization"));
        return new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange e, int status, String body, boolean chunked, boolean close) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (close) {
            e.getResponseHeaders().set("Connection", "close");
        }
        e.sendResponseHeaders(status, chunked ? 0 : bytes.length);
        try (OutputStream out = e.getResponseBody()) {
            out.write(bytes);
        }
    }
}
