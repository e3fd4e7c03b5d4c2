package dev.mnistpipeline.common.quarkus;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The one way the services make a thread for scheduled work of their own (lease heartbeats, cancellation polls,
 * batch flushes, marker sweeps, reconcile loops through {@link Periodic}): one named daemon thread, so it never holds
 * the JVM open and shows by name in a thread dump. Its owner shuts it down when it closes.
 */
public final class Schedulers {
    private Schedulers() {
    }

    public static ScheduledExecutorService daemon(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }
}
