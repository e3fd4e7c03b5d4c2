package dev.mnistpipeline.bench.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * CPU seconds of some processes, read at a fixed interval, so that the CPU of any window can be taken afterwards:
 * the steady part of a run apart from its start, when freshly started JVMs spend their CPU compiling.
 */
public final class CpuTimeline implements AutoCloseable {
    private final DoubleSupplier cpuSeconds;
    private final List<Long> times = new ArrayList<>();
    private final List<Double> readings = new ArrayList<>();
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cpu-timeline");
        t.setDaemon(true);
        return t;
    });

    private CpuTimeline(DoubleSupplier cpuSeconds, Duration every) {
        this.cpuSeconds = cpuSeconds;
        reader.scheduleAtFixedRate(this::read, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads {@code cpuSeconds} every {@code every} from now until closed. */
    public static CpuTimeline every(Duration every, DoubleSupplier cpuSeconds) {
        return new CpuTimeline(cpuSeconds, every);
    }

    private synchronized void read() {
        times.add(System.nanoTime());
        readings.add(cpuSeconds.getAsDouble());
    }

    /** CPU seconds used between two {@link System#nanoTime()} instants, from the readings nearest to each. */
    public synchronized double between(long from, long to) {
        return at(to) - at(from);
    }

    private double at(long time) {
        if (times.isEmpty()) {
            return Double.NaN;
        }
        int nearest = 0;
        for (int i = 1; i < times.size(); i++) {
            if (Math.abs(times.get(i) - time) < Math.abs(times.get(nearest) - time)) {
                nearest = i;
            }
        }
        return readings.get(nearest);
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
