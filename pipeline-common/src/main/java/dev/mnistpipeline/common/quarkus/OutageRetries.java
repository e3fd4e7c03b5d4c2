package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.errors.Outages;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import org.jboss.logging.Logger;

/** The retry loop behind {@link WaitsOutOutages}; each retry is logged, and the whole wait is visible in {@link StuckWork}. */
@WaitsOutOutages
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER + 20)
public class OutageRetries {
    private static final Logger LOG = Logger.getLogger(OutageRetries.class);

    private final StuckWork stuck;

    public OutageRetries(StuckWork stuck) {
        this.stuck = stuck;
    }

    @AroundInvoke
    Object retry(InvocationContext call) throws Exception {
        long delay = Outages.FIRST_DELAY_MS;
        try (StuckWork.Attempt attempt = stuck.begin(call.getMethod())) {
            while (true) {
                try {
                    return call.proceed();
                } catch (Exception e) {
                    if (!Outages.isOutage(e)) {
                        throw e;
                    }
                    attempt.failed(e);
                    LOG.warnf("%s: %s; retrying in %d ms", attempt.what(), e.getMessage(), delay);
                    Thread.sleep(delay);
                    delay = Outages.nextDelay(delay);
                }
            }
        }
    }
}
