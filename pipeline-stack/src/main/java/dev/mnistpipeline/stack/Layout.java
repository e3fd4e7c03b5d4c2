package dev.mnistpipeline.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.nio.file.attribute.PosixFilePermissions;

/** Where things are in a checkout: the repository root, the packaged services, the launcher's own jar. */
public final class Layout {
    public static final String[] SERVICES = {"ingest-service", "preprocess-service", "trainer-service", "evaluator-service"};

    private final Path root;

    public Layout(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The checkout containing the working directory (or {@code -Dpipeline.home}). */
    public static Layout detect() {
        String home = System.getProperty("pipeline.home");
        Path dir = Path.of(home != null ? home : "").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("pipeline-stack")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return new Layout(p);
            }
        }
        throw new IllegalStateException("Not inside an mnist-pipeline checkout: " + dir);
    }

    public Path root() {
        return root;
    }

    public Path serviceJar(String service) {
        return built(service + "/target/quarkus-app/quarkus-run.jar");
    }

    /** The launcher jar (./pipeline's commands). */
    public Path cliJar() {
        return built("pipeline-cli/target/pipeline-cli.jar");
    }

    /** The stack's jar, whose manifest class path carries Kafka and S3Proxy for the infrastructure processes. */
    public Path stackJar() {
        return built("pipeline-stack/target/pipeline-stack.jar");
    }

    private Path built(String relative) {
        Path jar = root.resolve(relative);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./mvnw -DskipTests package)");
        }
        return jar;
    }

    /** Makes a directory readable by its owner only (0700), where the file system has POSIX permissions. */
    public static void ownerOnly(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Runtime state of local stacks: data, logs, pids. Git-ignored. */
    public Path stateDir() {
        return root.resolve(".pipeline");
    }
}
