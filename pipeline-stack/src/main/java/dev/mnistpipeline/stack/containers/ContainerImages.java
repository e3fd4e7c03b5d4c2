package dev.mnistpipeline.stack.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.mnistpipeline.stack.Layout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the images {@code ./pipeline images} (deploy/images/build-images.sh) builds: the services under the
 * tag deploy/base's kustomization gives them, Kafka and S3 under the versions the build uses.
 */
public record ContainerImages(String serviceTag, String kafkaVersion, String s3proxyVersion) {
    public static final String REPOSITORY = "localhost/mnist-pipeline/";

    public static ContainerImages of(Layout layout) {
        try {
            JsonNode kustomization = new YAMLMapper().readTree(layout.root().resolve("deploy/base/kustomization.yaml").toFile());
            String tag = kustomization.path("images").path(0).path("newTag").asText();
            String pom = Files.readString(layout.root().resolve("pom.xml"));
            return new ContainerImages(tag, property(pom, "kafka.version"), property(pom, "s3proxy.version"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        if (!m.find()) {
            throw new IllegalStateException("pom.xml has no <" + name + ">");
        }
        return m.group(1).trim();
    }

    public String service(String service) {
        return REPOSITORY + service + ":" + serviceTag;
    }

    public String kafka() {
        return REPOSITORY + "kafka:" + kafkaVersion;
    }

    public String s3() {
        return REPOSITORY + "s3:" + s3proxyVersion;
    }

    /** Every image a container stack runs. */
    public List<String> all() {
        return List.of(kafka(), s3(), service("ingest-service"), service("preprocess-service"),
                service("trainer-service"), service("evaluator-service"));
    }
}
