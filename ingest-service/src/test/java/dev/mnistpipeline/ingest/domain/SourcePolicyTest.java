package dev.mnistpipeline.ingest.domain;

import com.sun.net.httpserver.HttpServer;
import dev.mnistpipeline.common.errors.InvalidDataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a caller can make the ingest service read. Refusals of addresses happen before any connection is opened
 * (the loopback test server counts its requests, and the other addresses are never contacted); allowed fetches go
 * only to a loopback server this test allow-lists.
 */
class SourcePolicyTest {
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private String base;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/data/file", exchange -> {
            requests.incrementAndGet();
            byte[] body = "idx bytes".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/big", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write(new byte[4096]);
            exchange.close();
        });
        server.createContext("/to-metadata", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/to-file", exchange -> {
            requests.incrementAndGet();
            exchange.getResponseHeaders().add("Location", "/data/file");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private static SourcePolicy policy(List<String> dirs, List<String> hosts, List<String> addresses, boolean http, long maxBytes) {
        return new SourcePolicy(Optional.of(dirs), Optional.of(hosts), Optional.of(addresses), http, Duration.ofSeconds(10), maxBytes);
    }

    private SourcePolicy loopbackAllowed(long maxBytes) {
        return policy(List.of(), List.of("127.0.0.1"), List.of("127.0.0.1"), true, maxBytes);
    }

    @Test
    void internalAddressesAreRefusedBeforeAnyConnection() {
        SourcePolicy everyHostListed = policy(List.of(), List.of("169.254.169.254", "127.0.0.1", "10.0.0.7", "192.168.1.1",
                "[::1]", "224.0.0.1", "0.0.0.0", "100.64.0.1", "[fd00::1]", "localhost"), List.of(), true, 1000);
        for (String url : List.of("http://169.254.169.254/latest/", base + "/data/file", "http://10.0.0.7/", "http://192.168.1.1/",
                "http://[::1]/", "http://224.0.0.1/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[fd00::1]/", "http://localhost/")) {
            InvalidDataException refused = assertThrows(InvalidDataException.class, () -> everyHostListed.download(url), url);
            assertTrue(refused.getMessage().contains("internal address"), refused.getMessage());
        }
        assertEquals(0, requests.get(), "nothing was contacted");
    }

    @Test
    void onlyHttpsToListedHostsUnlessHttpIsAllowed() {
        SourcePolicy strict = policy(List.of(), List.of("datasets.example.org"), List.of(), false, 1000);
        assertTrue(assertThrows(InvalidDataException.class, () -> strict.download("http://datasets.example.org/x")).getMessage().contains("only https"));
        assertTrue(assertThrows(InvalidDataException.class, () -> strict.download("https://other.example.org/x")).getMessage().contains("allowed-hosts"));
        assertTrue(assertThrows(InvalidDataException.class, () -> strict.download("ftp://datasets.example.org/x")).getMessage().contains("only https"));
        assertTrue(assertThrows(InvalidDataException.class, () -> strict.download("https://user:pw@datasets.example.org/x")).getMessage().contains("credentials"));
        SourcePolicy none = policy(List.of(), List.of(), List.of(), true, 1000);
        assertTrue(assertThrows(InvalidDataException.class, () -> none.download(base + "/data/file")).getMessage().contains("no hosts are allowed"));
        assertEquals(0, requests.get());
    }

    @Test
    void anAllowListedServerIsFetchedWithinTheSizeLimit() {
        assertArrayEquals("idx bytes".getBytes(), loopbackAllowed(1000).download(base + "/data/file").orElseThrow());
        assertEquals(Optional.empty(), loopbackAllowed(1000).download(base + "/data/missing"), "404: the source lacks that file");
        InvalidDataException tooBig = assertThrows(InvalidDataException.class, () -> loopbackAllowed(1000).download(base + "/big"));
        assertTrue(tooBig.getMessage().contains("max-download-bytes"), tooBig.getMessage());
    }

    @Test
    void everyRedirectIsCheckedAgain() {
        InvalidDataException refused = assertThrows(InvalidDataException.class, () -> loopbackAllowed(1000).download(base + "/to-metadata"));
        assertTrue(refused.getMessage().contains("169.254.169.254"), refused.getMessage());
        assertArrayEquals("idx bytes".getBytes(), loopbackAllowed(1000).download(base + "/to-file").orElseThrow(), "a redirect within the policy is followed");
    }

    @Test
    void directoriesOnlyUnderAllowedRootsWithoutRevealingWhatExists(@TempDir Path tmp) throws IOException {
        Path root = Files.createDirectories(tmp.resolve("allowed"));
        Path inside = Files.createDirectories(root.resolve("mnist-subset"));
        Path outside = Files.createDirectories(tmp.resolve("secret"));
        Path link = Files.createSymbolicLink(root.resolve("escape"), outside);
        SourcePolicy policy = policy(List.of(root.toString()), List.of(), List.of(), false, 1000);

        assertEquals(inside.toRealPath(), policy.directory(inside.toString()));
        assertEquals(inside.toRealPath(), policy.directory("file:" + inside));
        String existing = assertThrows(InvalidDataException.class, () -> policy.directory(outside.toString())).getMessage();
        String missing = assertThrows(InvalidDataException.class, () -> policy.directory(tmp.resolve("nothing-here").toString())).getMessage();
        assertEquals(existing.replace(outside.toString(), "X"), missing.replace(tmp.resolve("nothing-here").toString(), "X"),
                "the same answer whether or not the path exists");
        assertThrows(InvalidDataException.class, () -> policy.directory(root + "/../secret"), "'..' out of the root");
        assertThrows(InvalidDataException.class, () -> policy.directory(link.toString()), "a symbolic link out of the root");
        assertThrows(InvalidDataException.class, () -> policy.directory("/etc"));
        SourcePolicy noRoots = policy(List.of(), List.of(), List.of(), false, 1000);
        assertFalse(assertThrows(InvalidDataException.class, () -> noRoots.directory(inside.toString())).getMessage().contains("lacks"));
    }

    @Test
    void aLinkInsideAnAllowedDirectoryDoesNotLeadOutOfIt(@TempDir Path root) throws IOException {
        Path allowed = Files.createDirectories(root.resolve("allowed"));
        Path secret = Files.writeString(root.resolve("secret"), "not a dataset");
        for (String name : RawDataset.FILE_NAMES) {
            Files.write(allowed.resolve(name), new byte[]{1});
        }
        Files.delete(allowed.resolve(RawDataset.FILE_NAMES[0]));
        Files.createSymbolicLink(allowed.resolve(RawDataset.FILE_NAMES[0]), secret);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> DatasetSources.fromDirectory(allowed.toRealPath()));
        assertTrue(e.getMessage().contains("link out of the directory"), e.getMessage());

        Files.delete(allowed.resolve(RawDataset.FILE_NAMES[0]));
        Files.write(allowed.resolve("real"), new byte[]{7});
        Files.createSymbolicLink(allowed.resolve(RawDataset.FILE_NAMES[0]), allowed.resolve("real"));
        assertArrayEquals(new byte[]{7}, DatasetSources.fromDirectory(allowed.toRealPath()).trainImages(), "a link within the directory is fine");
    }
}
