package dev.mnistpipeline.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The processes {@code up} started, as {@code .pipeline/up/pids} records them: a PID and its start time per line.
 * {@code down} stops a process only while both still match, so a PID the system has since given to another
 * program is never touched.
 */
final class StackProcesses {
    private StackProcesses() {
    }

    /** The record of a running process. */
    static String line(long pid) {
        return pid + " " + ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
                .orElseThrow(() -> new IllegalStateException("process " + pid + " has no start time to record"));
    }

    /** Of the recorded processes, those that are still the ones recorded; the others are reported and left alone. */
    static List<ProcessHandle> stillOurs(List<String> lines) {
        List<ProcessHandle> ours = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.trim().split(" ");
            if (parts[0].isEmpty()) {
                continue;
            }
            long pid = Long.parseLong(parts[0]);
            Optional<ProcessHandle> handle = ProcessHandle.of(pid);
            if (handle.isEmpty()) {
                continue; // already gone
            }
            Optional<Instant> started = handle.get().info().startInstant();
            if (parts.length < 2 || started.isEmpty() || !started.get().equals(Instant.parse(parts[1]))) {
                System.out.println("Not stopping PID " + pid + ": it is not the process 'up' started (its start time"
                        + " differs or was not recorded).");
                continue;
            }
            ours.add(handle.get());
        }
        return ours;
    }
}
