package dev.mnistpipeline.common.quarkus;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A reconcile loop: one task on its own daemon thread, every {@code period} (the next run starts a period after the
 * last one ended, so a slow run never piles up). Sweeps and their gate run on these in every replica.
 */
public final class Periodic implements AutoCloseable {
    private final ScheduledExecutorService executor;
    private final Runnable task;

    private Periodic(String name, Runnable task) {
        this.task = task;
        this.executor = Schedulers.daemon(name);
    }

    public static Periodic every(String name, Duration period, Runnable task) {
        Periodic p = new Periodic(name, task);
        p.executor.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        return p;
    }

    /** One extra run now, in between the periodic ones (never at the same time). */
    public void runSoon() {
        executor.execute(task);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
