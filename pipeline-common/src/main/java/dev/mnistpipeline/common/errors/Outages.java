package dev.mnistpipeline.common.errors;

/**
 * How handlers wait out an outage. Every {@code @Incoming} handler that touches storage or the broker carries
 * {@code @Retry(maxRetries = -1, delay = FIRST_DELAY_MS, maxDuration = MAX_DAYS, durationUnit = DAYS,
 * retryOn = DependencyUnavailableException.class)} and {@code @ExponentialBackoff(maxDelay = MAX_DELAY_MS)}:
 * the record is retried, in place, until its dependency answers again. Bad input is not retried: it goes to the
 * dead-letter topic at once.
 */
public final class Outages {
    /** The first wait after a failed attempt; it doubles with every further failure. */
    public static final long FIRST_DELAY_MS = 500;
    /** The longest wait between attempts, so the flow moves again within this long of the dependency's return. */
    public static final long MAX_DELAY_MS = 8_000;
    /** Retries stop only after this many days: in practice, never. */
    public static final long MAX_DAYS = 3650;

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
}
