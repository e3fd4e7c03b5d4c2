package dev.mnistpipeline.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold credentials are readable by their owner only. */
public final class Owner {
    private Owner() {
    }

    /** Owner read/write only, where the file system has POSIX permissions (elsewhere the directory's rules apply). */
    public static void only(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }
}
