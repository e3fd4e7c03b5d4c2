package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.Layout;

import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ./pipeline down}: stops what {@code up} started; the data stays. */
@Command(name = "down", mixinStandardHelpOptions = true, description = "Stop what 'up' started; its data stays in .pipeline/up (a container stack's goes with it).")
final class DownCommand implements Callable<Integer> {

    @Override
    public Integer call() throws IOException, InterruptedException {
        Layout layout = Layout.detect();
        Path pids = layout.stateDir().resolve("up/pids");
        int containers = ContainersUp.down(pids.getParent());
        if (containers >= 0) {
            System.out.println("Removed " + containers + " containers and their network (their data was tmpfs: gone).");
            return 0;
        }
        if (!Files.exists(pids)) {
            System.out.println("No stack is up.");
            return 0;
        }
        List<ProcessHandle> handles = StackProcesses.stillOurs(Files.readAllLines(pids));
        for (int i = handles.size() - 1; i >= 0; i--) {
            handles.get(i).destroy();
        }
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        Files.delete(pids);
        System.out.println("Stopped " + handles.size() + " processes. Data stays in " + layout.root().relativize(pids.getParent()) + " (delete it to start afresh).");
        return 0;
    }

}
