package dev.mnistpipeline.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How busy the whole machine was between two readings of {@code /proc/stat}: whether a setup was limited by the
 * cores it shares (the broker, S3, the other services and the load generator included) or by its own design.
 */
public final class MachineCpu {
    private final long busy;
    private final long total;

    private MachineCpu(long busy, long total) {
        this.busy = busy;
        this.total = total;
    }

    /** Now; a reading of zeros where {@code /proc/stat} cannot be read (then {@link #busySince} is NaN). */
    public static MachineCpu now() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0); // "cpu  user nice system idle iowait ..."
            long[] ticks = Arrays.stream(cpu.trim().split("\\s+")).skip(1).mapToLong(Long::parseLong).toArray();
            long total = Arrays.stream(ticks).limit(8).sum(); // guest time is already counted in user
            long idle = ticks[3] + (ticks.length > 4 ? ticks[4] : 0);
            return new MachineCpu(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return new MachineCpu(0, 0);
        }
    }

    /** The share of all cores that was busy since {@code earlier}, 0 to 1. */
    public double busySince(MachineCpu earlier) {
        long dt = total - earlier.total;
        return dt <= 0 ? Double.NaN : (busy - earlier.busy) / (double) dt;
    }
}
