package dev.mnistpipeline.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fixed share of the machine's CPU for some processes, as a Kubernetes pod's {@code limits.cpu} gives its container:
 * a CFS quota of {@code cores} × the period in a control group of its own. On a machine whose cores the broker, S3,
 * the other services and the load generator share, it tells whether more replicas of a service land more work when
 * each gets the same CPU, apart from whether the machine has any CPU left. Needs root and the cpu controller (cgroup
 * v1's {@code /sys/fs/cgroup/cpu} or v2's {@code cpu.max}); {@link #create} says why where it cannot.
 */
public final class CpuQuota implements AutoCloseable {
    static final long PERIOD_US = 100_000;
    private static final Path V1 = Path.of("/sys/fs/cgroup/cpu");
    private static final Path V2 = Path.of("/sys/fs/cgroup");

    private final Path group;
    private final Path parentProcs;
    private final List<Long> members = new ArrayList<>();

    private CpuQuota(Path group, Path parentProcs) {
        this.group = group;
        this.parentProcs = parentProcs;
    }

    /** What stands in the way of {@link #create}, or null where nothing does. */
    public static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "a CPU quota needs root (control groups), and this runs as " + System.getProperty("user.name");
        }
        if (Files.isWritable(V1.resolve("cgroup.procs")) && Files.exists(V1.resolve("cpu.cfs_quota_us"))) {
            return null;
        }
        try {
            if (Files.exists(V2.resolve("cgroup.controllers"))
                    && Files.readString(V2.resolve("cgroup.subtree_control")).contains("cpu")) {
                return null;
            }
        } catch (IOException e) {
            return "cannot read " + V2.resolve("cgroup.subtree_control") + ": " + e.getMessage();
        }
        return "no writable cpu controller: neither " + V1 + " (cgroup v1) nor cpu in " + V2.resolve("cgroup.subtree_control") + " (v2)";
    }

    /** A new control group limited to {@code cores} (e.g. 0.25), empty until {@link #add}. */
    public static CpuQuota create(String name, double cores) throws IOException {
        String why = unavailableBecause();
        if (why != null) {
            throw new IOException(why);
        }
        if (!(cores > 0 && cores <= Runtime.getRuntime().availableProcessors())) {
            throw new IllegalArgumentException("a CPU quota of " + cores + " cores: want more than 0 and at most the machine's "
                    + Runtime.getRuntime().availableProcessors());
        }
        long quota = Math.max(1_000, Math.round(cores * PERIOD_US));
        boolean v1 = Files.exists(V1.resolve("cpu.cfs_quota_us"));
        Path root = v1 ? V1 : V2;
        Path group = Files.createDirectory(root.resolve("mnist-bench-" + name + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        if (v1) {
            Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        } else {
            Files.writeString(group.resolve("cpu.max"), String.format(Locale.ROOT, "%d %d", quota, PERIOD_US));
        }
        return new CpuQuota(group, root.resolve("cgroup.procs"));
    }

    /** Moves a running process, all its threads, under the quota. */
    public void add(long pid) throws IOException {
        Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
        members.add(pid);
    }

    /** How long the group's processes waited for their quota in total, from the kernel's own count. */
    public double throttledSeconds() {
        try {
            for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
                String[] field = line.trim().split("\\s+");
                if (field[0].equals("throttled_time")) { // v1, nanoseconds
                    return Long.parseLong(field[1]) / 1e9;
                }
                if (field[0].equals("throttled_usec")) { // v2
                    return Long.parseLong(field[1]) / 1e6;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Moves whatever still runs back to the parent group, then removes this one. */
    @Override
    public void close() {
        for (long pid : members) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Files.writeString(parentProcs, Long.toString(pid));
                } catch (IOException e) {
                    System.err.println("could not move process " + pid + " out of " + group + ": " + e.getMessage());
                }
            }
        }
        // A process that has just ended may keep the group busy for a moment.
        for (int attempt = 1; ; attempt++) {
            try {
                Files.deleteIfExists(group);
                return;
            } catch (IOException e) {
                if (attempt == 20) {
                    System.err.println("could not remove the control group " + group + ": " + e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
