package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.stack.Layout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code ./pipeline down}: stops what {@code up} started; the data stays. */
final class DownCommand {
    private DownCommand() {
    }

    static int down() throws IOException, InterruptedException {
        Layout layout = Layout.detect();
        Path pids = layout.stateDir().resolve("up/pids");
        if (!Files.exists(pids)) {
            System.out.println("No stack is up.");
            return 0;
        }
        List<ProcessHandle> handles = new ArrayList<>();
        for (String line : Files.readAllLines(pids)) {
            ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(handles::add);
        }
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).destroy();
        }
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        Files.delete(pids);
        System.out.println("Stopped " + handles.size() + " processes. Data stays in " + layout.root().relativize(pids.getParent()) + " (delete it to start afresh).");
        return 0;
    }

}
