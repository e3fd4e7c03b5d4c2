package dev.mnistpipeline.common.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Local scratch files. */
public final class LocalFiles {
    private LocalFiles() {
    }

    /** Deletes a directory tree; best effort, since it only ever holds scratch copies. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // scratch space: leftovers are harmless
        }
    }
}
