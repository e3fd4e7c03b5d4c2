package dev.mnistpipeline.common.tf;

import ai.djl.engine.Engine;
import dev.mnistpipeline.common.data.LocalFiles;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;

/**
 * Arranges the one TensorFlow native runtime (TF 2.16 from {@code org.tensorflow:tensorflow-core-native}) for DJL's
 * TensorFlow engine and the TF Java API it bundles. The natives are extracted from the jar on the classpath into a
 * cache directory once, and {@code TENSORFLOW_LIBRARY_PATH} points DJL at them, so nothing is ever downloaded.
 *
 * <p>The CUDA build ({@code linux-x86_64-gpu}) is used when that jar is on the classpath instead of the CPU one.
 */
public final class TensorFlowRuntime {
    private static final Logger LOG = Logger.getLogger(TensorFlowRuntime.class);
    private static final String RESOURCE_ROOT = "org/tensorflow/internal/c_api/";
    private static final List<String> CLASSIFIERS = List.of("linux-x86_64-gpu", "linux-x86_64");
    private static final List<String> LIBRARIES = List.of("libtensorflow_framework.so.2", "libtensorflow_cc.so.2", "libjnitensorflow.so");

    private static volatile Engine engine;

    private TensorFlowRuntime() {
    }

    /**
     * Starts loading the runtime on a daemon thread, so that the first model a service trains or scores does not
     * wait for it (about 0.8 s on 2 cores). A failure here is only logged: the first real use meets it again.
     */
    public static void loadInBackground() {
        Thread loader = new Thread(() -> {
            try {
                engine();
            } catch (RuntimeException | LinkageError e) {
                LOG.warnf("TensorFlow not loaded ahead (%s); the first model will try again", e.getMessage());
            }
        }, "tensorflow-load");
        loader.setDaemon(true);
        loader.start();
    }

    /** Loads the runtime once per process and returns DJL's TensorFlow engine. */
    public static synchronized Engine engine() {
        if (engine == null) {
            System.setProperty("ai.djl.offline", "true");
            if (System.getenv("TENSORFLOW_LIBRARY_PATH") == null && System.getProperty("TENSORFLOW_LIBRARY_PATH") == null) {
                System.setProperty("TENSORFLOW_LIBRARY_PATH", extractNatives().toString());
            }
            long start = System.nanoTime();
            engine = Engine.getEngine("TensorFlow");
            LOG.infof("TensorFlow %s loaded in %d ms (natives: %s)", engine.getVersion(),
                    (System.nanoTime() - start) / 1_000_000, System.getProperty("TENSORFLOW_LIBRARY_PATH", System.getenv("TENSORFLOW_LIBRARY_PATH")));
        }
        return engine;
    }

    /** Which native build is on the classpath: {@code linux-x86_64-gpu} (CUDA) or {@code linux-x86_64}; null if none. */
    public static String nativeBuild() {
        ClassLoader loader = TensorFlowRuntime.class.getClassLoader();
        return CLASSIFIERS.stream().filter(c -> loader.getResource(RESOURCE_ROOT + c + "/libjnitensorflow.so") != null)
                .findFirst().orElse(null);
    }

    /** Extracts the natives of whichever classifier is on the classpath; reuses an earlier extraction. */
    static Path extractNatives() {
        ClassLoader loader = TensorFlowRuntime.class.getClassLoader();
        for (String classifier : CLASSIFIERS) {
            if (loader.getResource(RESOURCE_ROOT + classifier + "/libjnitensorflow.so") == null) {
                continue;
            }
            Path dir = cacheRoot().resolve("tensorflow-core-native-1.0.0-" + classifier);
            if (Files.isRegularFile(dir.resolve("libjnitensorflow.so"))) {
                return dir;
            }
            try {
                Files.createDirectories(dir.getParent());
                Path tmp = Files.createTempDirectory(dir.getParent(), "extract-");
                LOG.infof("Extracting TensorFlow natives (%s) to %s, once", classifier, dir);
                for (String lib : LIBRARIES) {
                    try (InputStream in = loader.getResourceAsStream(RESOURCE_ROOT + classifier + "/" + lib)) {
                        if (in == null) {
                            throw new IllegalStateException("tensorflow-core-native jar lacks " + lib);
                        }
                        Files.copy(in, tmp.resolve(lib), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                try {
                    // Atomic so that concurrent processes (trainer and evaluator) never see half a directory.
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    LocalFiles.deleteTree(tmp);
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot extract TensorFlow natives to " + dir, e);
            }
        }
        throw new IllegalStateException("No org.tensorflow:tensorflow-core-native jar (classifier linux-x86_64 or "
                + "linux-x86_64-gpu) on the classpath, and TENSORFLOW_LIBRARY_PATH is not set");
    }

    private static Path cacheRoot() {
        String configured = System.getenv("PIPELINE_NATIVE_CACHE");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mnist-pipeline");
    }

}
