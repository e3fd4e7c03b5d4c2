package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.errors.InvalidDataException;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.net.http.HttpTimeoutException;

/**
 * What a caller may make the ingest service read: directories only under {@code pipeline.ingest.allowed-dirs}
 * (after resolving {@code ..} and symbolic links), and URLs only over https (http where
 * {@code pipeline.ingest.allow-http} says so) to hosts on {@code pipeline.ingest.allowed-hosts}, never to a loopback,
 * link-local, private, unique-local or multicast address (checked after DNS resolution and again at every
 * redirect, unless that exact address is on {@code pipeline.ingest.allowed-addresses}), with a connect timeout, a
 * time limit per file and a size limit. Refusals say what is allowed and never whether a refused path exists.
 */
@ApplicationScoped
public class SourcePolicy {
    static final int MAX_REDIRECTS = 5;

    private final List<String> allowedDirs;
    private final Set<String> allowedHosts;
    private final Set<String> allowedAddresses;
    private final boolean allowHttp;
    private final Duration fileTimeout;
    private final long maxBytes;
    private final HttpClient http;

    public SourcePolicy(@ConfigProperty(name = "pipeline.ingest.allowed-dirs") Optional<List<String>> allowedDirs,
                        @ConfigProperty(name = "pipeline.ingest.allowed-hosts") Optional<List<String>> allowedHosts,
                        @ConfigProperty(name = "pipeline.ingest.allowed-addresses") Optional<List<String>> allowedAddresses,
                        @ConfigProperty(name = "pipeline.ingest.allow-http", defaultValue = "false") boolean allowHttp,
                        @ConfigProperty(name = "pipeline.ingest.fetch-timeout", defaultValue = "2m") Duration fileTimeout,
                        @ConfigProperty(name = "pipeline.ingest.max-download-bytes", defaultValue = "268435456") long maxBytes) {
        this.allowedDirs = allowedDirs.orElse(List.of()).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        this.allowedHosts = allowedHosts.orElse(List.of()).stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).collect(Collectors.toSet());
        this.allowedAddresses = allowedAddresses.orElse(List.of()).stream().map(String::trim).collect(Collectors.toSet());
        this.allowHttp = allowHttp;
        this.fileTimeout = fileTimeout;
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** {@code source} as a directory inside an allowed root, or a refusal that does not tell whether it exists. */
    public Path directory(String source) {
        Path real;
        try {
            Path given = source.startsWith("file:") ? Path.of(URI.create(source)) : Path.of(source);
            real = given.toRealPath();
        } catch (IOException | RuntimeException e) {
            real = null;
        }
        Path found = real;
        // Roots are resolved now, not at start: one created later (the MNIST cache) counts.
        List<Path> roots = allowedDirs.stream().map(SourcePolicy::realPathOrNull).filter(p -> p != null).toList();
        if (found == null || !Files.isDirectory(found) || roots.stream().noneMatch(found::startsWith)) {
            throw new InvalidDataException("source '" + source + "' is not 'mnist', an allowed URL, or a directory under "
                    + "pipeline.ingest.allowed-dirs" + (allowedDirs.isEmpty() ? " (none are allowed here)" : ""));
        }
        return found;
    }

    /**
     * The body of {@code url} when it answers 200, empty for 404 (a file the source does not have), following
     * redirects only to places the policy allows.
     */
    public Optional<byte[]> download(String url) {
        URI uri = check(url);
        try {
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(fileTimeout).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if (status / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
                    response.body().close();
                    uri = check(uri.resolve(response.headers().firstValue("Location").get()).toString());
                    continue;
                }
                try (InputStream body = response.body()) {
                    if (status == 404) {
                        return Optional.empty();
                    }
                    if (status != 200) {
                        throw new InvalidDataException(uri + " answered HTTP " + status);
                    }
                    byte[] data = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                    if (data.length > maxBytes) {
                        throw new InvalidDataException(uri + " is larger than pipeline.ingest.max-download-bytes (" + maxBytes + ")");
                    }
                    return Optional.of(data);
                }
            }
            throw new InvalidDataException(url + " redirects more than " + MAX_REDIRECTS + " times");
        } catch (HttpTimeoutException e) {
            throw new InvalidDataException(uri + " did not answer within " + fileTimeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new InvalidDataException(uri + " could not be fetched: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The URL if the policy allows it; resolves the host and checks every address it has. */
    URI check(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidDataException("not a URL: " + url);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
            throw new InvalidDataException("only https URLs are allowed" + (allowHttp ? " (and http)" : "") + ", got " + url);
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        if (uri.getUserInfo() != null) {
            throw new InvalidDataException("URLs with credentials are not allowed: " + scheme + "://" + host + "/…");
        }
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!allowedHosts.contains(host) && !allowedHosts.contains(bareHost)) {
            throw new InvalidDataException("host '" + host + "' is not on pipeline.ingest.allowed-hosts"
                    + (allowedHosts.isEmpty() ? " (no hosts are allowed here)" : " " + allowedHosts));
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bareHost);
        } catch (UnknownHostException e) {
            throw new InvalidDataException("host '" + host + "' does not resolve");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address) && !allowedAddresses.contains(address.getHostAddress())) {
                throw new InvalidDataException("host '" + host + "' resolves to an internal address (" + address.getHostAddress()
                        + "): loopback, link-local, private and multicast addresses are refused");
            }
        }
        return uri;
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isMulticastAddress()
                || a.isAnyLocalAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64 // carrier-grade NAT 100.64.0.0/10
                || (b[0] & 0xff) == 0; // "this network" 0.0.0.0/8
    }

    private static Path realPathOrNull(String dir) {
        try {
            return Path.of(dir.trim()).toRealPath();
        } catch (IOException e) {
            return null; // a root that does not exist (yet) allows nothing
        }
    }
}
