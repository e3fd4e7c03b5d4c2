package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.Layout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Builds the images from this build's jars with {@code deploy/images/build-images.sh}, which reuses unchanged ones. */
final class ImageBuild {
    private ImageBuild() {
    }

    static void ensure(Layout layout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(layout.root().resolve("deploy/images/build-images.sh").toString())
                .directory(layout.root().toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("deploy/images/build-images.sh failed:\n" + out);
        }
        System.out.print(out);
    }
}
