package dev.mnistpipeline.e2e.deploy;

import dev.mnistpipeline.stack.containers.PodTemplate;
import dev.mnistpipeline.stack.Layout;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Dockerfile in deploy/images, as a file (the GPU one cannot be built here, and the others are built only where
 * a container engine exists): what it copies exists or is built by a module, it runs as the manifests' user, and a
 * service image takes the manifests' JAVA_OPTS_APPEND.
 */
class DockerfilesTest {
    private static final Path ROOT = DeployManifestsTest.ROOT;
    private static final Path IMAGES = ROOT.resolve("deploy/images");
    private static final Pattern COPY = Pattern.compile("^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+\\S+\\s*$", Pattern.MULTILINE);

    @Test
    void everyCopiedPathExistsOrIsBuiltByAModule() throws IOException {
        List<Path> dockerfiles = dockerfiles();
        assertTrue(dockerfiles.size() >= 4, dockerfiles.toString());
        for (Path dockerfile : dockerfiles) {
            String text = Files.readString(dockerfile);
            Matcher m = COPY.matcher(text);
            int copies = 0;
            while (m.find()) {
                copies++;
                for (String service : text.contains("${SERVICE}") ? List.of(Layout.SERVICES) : List.of("")) {
                    String source = m.group(1).replace("${SERVICE}", service);
                    int target = source.indexOf("/target/");
                    if (target >= 0) {
                        // Built output: the module that builds it must exist (a pom beside its target/).
                        Path module = ROOT.resolve(source.substring(0, target));
                        assertTrue(Files.isRegularFile(module.resolve("pom.xml")), dockerfile.getFileName() + ": " + source
                                + " comes from no module");
                    } else {
                        assertTrue(Files.exists(ROOT.resolve(source)), dockerfile.getFileName() + ": " + source + " is missing");
                    }
                }
            }
            assertTrue(copies > 0, dockerfile + " copies nothing");
        }
    }

    @Test
    void everyImageRunsAsTheManifestsUserAndServiceImagesTakeTheirJavaOptions() throws IOException {
        for (String service : Layout.SERVICES) {
            assertEquals(PodTemplate.DEFAULT_USER, PodTemplate.read(ROOT.resolve("deploy"), service).user(), service);
        }
        for (Path dockerfile : dockerfiles()) {
            String text = Files.readString(dockerfile);
            List<String> users = new ArrayList<>();
            Matcher m = Pattern.compile("^USER\\s+(\\S+)", Pattern.MULTILINE).matcher(text);
            while (m.find()) {
                users.add(m.group(1));
            }
            assertFalse(users.isEmpty(), dockerfile + " sets no USER: it would run as root");
            assertEquals(PodTemplate.DEFAULT_USER, users.get(users.size() - 1), dockerfile + " runs as another user than the manifests");
            if (text.contains("quarkus-run.jar")) {
                assertTrue(text.contains("$JAVA_OPTS_APPEND"), dockerfile + " ignores the manifests' JAVA_OPTS_APPEND");
            }
        }
    }

    @Test
    void theGpuOverlaysImageIsTheOneTheGpuDockerfileBuilds() throws IOException {
        String overlay = Files.readString(ROOT.resolve("deploy/overlays/gpu/kustomization.yaml"));
        Matcher name = Pattern.compile("newName:\\s*(\\S+)\\s+newTag:\\s*\"?([^\"\\s]+)").matcher(overlay);
        assertTrue(name.find(), overlay);
        String dockerfile = Files.readString(IMAGES.resolve("Dockerfile.trainer-gpu"));
        assertTrue(dockerfile.contains("-t " + name.group(1) + ":" + name.group(2)), "Dockerfile.trainer-gpu builds "
                + name.group(1) + ":" + name.group(2));
        assertTrue(dockerfile.contains("FROM nvidia/cuda:"), "a CUDA base");
    }

    private static List<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(IMAGES)) {
            return files.filter(f -> f.getFileName().toString().startsWith("Dockerfile")).sorted().toList();
        }
    }
}
