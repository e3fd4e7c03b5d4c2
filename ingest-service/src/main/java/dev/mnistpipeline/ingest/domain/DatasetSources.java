package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Resolves a dataset source to its four IDX files: {@code mnist} (built in), a directory the {@link SourcePolicy}
 * allows, or an https base URL it allows. Files may be raw or {@code .gz}; canonical MNIST names are expected.
 */
@ApplicationScoped
public class DatasetSources {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    private final MnistDownloader mnist;
    private final SourcePolicy policy;

    public DatasetSources(MnistDownloader mnist, SourcePolicy policy) {
        this.mnist = mnist;
        this.policy = policy;
    }

    public RawDataset fetch(String source) {
        if (source == null || source.isBlank()) {
            throw new InvalidDataException("source is required: 'mnist', a directory path, or an http(s) URL");
        }
        if (source.equals("mnist")) {
            return mnist.fetch();
        }
        if (source.matches("(?i)^[a-z][a-z0-9+.-]*://.*")) {
            return fromUrl(source.endsWith("/") ? source : source + "/");
        }
        return fromDirectory(policy.directory(source));
    }

    static RawDataset fromDirectory(Path dir) {
        byte[][] files = new byte[4][];
        for (int i = 0; i < 4; i++) {
            String name = RawDataset.FILE_NAMES[i];
            Path plain = dir.resolve(name);
            Path gz = dir.resolve(name + ".gz");
            Path found = Files.exists(plain) ? plain : Files.exists(gz) ? gz : null;
            if (found == null) {
                throw new InvalidDataException("directory " + dir + " lacks " + name + " (or " + name + ".gz)");
            }
            try {
                // The directory was checked against the allowed roots; a link inside it must not lead out of it.
                Path real = found.toRealPath();
                if (!real.startsWith(dir.toRealPath()) || !Files.isRegularFile(real)) {
                    throw new InvalidDataException("directory " + dir + ": " + found.getFileName()
                            + " is a link out of the directory or not a regular file");
                }
                files[i] = Files.readAllBytes(real);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new RawDataset(files[0], files[1], files[2], files[3]);
    }

    private RawDataset fromUrl(String base) {
        byte[][] files = new byte[4][];
        for (int i = 0; i < 4; i++) {
            String name = RawDataset.FILE_NAMES[i];
            files[i] = policy.download(base + name + ".gz").or(() -> policy.download(base + name))
                    .orElseThrow(() -> new InvalidDataException("neither " + base + name + ".gz nor " + base + name + " exists"));
        }
        return new RawDataset(files[0], files[1], files[2], files[3]);
    }

    /**
     * The body of a 200 response, or null for any other answer or an unreachable host. Only for the configured
     * MNIST mirrors, which an operator chose; anything a caller names goes through {@link SourcePolicy}.
     */
    static byte[] download(String url) {
        try {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(2)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
