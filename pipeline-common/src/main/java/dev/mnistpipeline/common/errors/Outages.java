package dev.mnistpipeline.common.errors;

/**
 * How handlers wait out an outage. Every {@code @Incoming} handler that touches storage or the broker carries
 * {@code @WaitsOutOutages} (common/quarkus): the record is retried, in place, with exponential backoff from
 * {@link #FIRST_DELAY_MS} to {@link #MAX_DELAY_MS}, until its dependency answers again; one retried for longer than
 * {@code pipeline.stuck-after} is reported as stuck. Bad input is not retried: it goes to the dead-letter topic at once.
 */
public final class Outages {
    /** The first wait after a failed attempt; it doubles with every further failure. */
    public static final long FIRST_DELAY_MS = 500;
    /** The longest wait between attempts, so the flow moves again within this long of the dependency's return. */
    public static final long MAX_DELAY_MS = 8_000;

    private Outages() {
    }

    /** Whether {@code failure}, or anything that caused it, is an outage rather than bad input. */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DependencyUnavailableException) {
                return true;
            }
            if (t instanceof InvalidDataException) {
                return false;
            }
        }
        return false;
    }

    /** Whether {@code failure}, or anything that caused it, is a fault only a configuration change will end. */
    public static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PermanentFaultException) {
                return true;
            }
        }
        return false;
    }

    /** The next wait after {@code previousMs}: doubled, at most {@link #MAX_DELAY_MS}. */
    public static long nextDelay(long previousMs) {
        return Math.min(MAX_DELAY_MS, previousMs * 2);
    }
}
