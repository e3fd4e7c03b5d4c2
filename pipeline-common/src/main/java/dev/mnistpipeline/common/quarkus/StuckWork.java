package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.lang.reflect.Method;

/**
 * Work that cannot make progress, where people can see it. A record retried for an outage longer than
 * {@code pipeline.stuck-after} (default 60 s), and any permanent fault (access denied, a missing bucket, a topic
 * this service may not write), turn readiness DOWN with the reason ({@code /q/health/ready}, check "stuck-work")
 * and show in {@code pipeline_stuck_records} and {@code pipeline_permanent_faults}. Everything returns to normal by
 * itself once the work goes through.
 */
@ApplicationScoped
@Startup // its gauges are on /q/metrics from the start, before anything got stuck
public class StuckWork {
    private final Map<Long, Attempt> retrying = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Duration stuckAfter;
    private final ObjectStore store;

    public StuckWork(MeterRegistry meters, ObjectStore store,
                     @ConfigProperty(name = "pipeline.stuck-after", defaultValue = "60s") Duration stuckAfter) {
        this.store = store;
        this.stuckAfter = stuckAfter;
        Gauge.builder("pipeline.stuck.records", this, s -> s.stuck().size())
                .description("records retried for longer than pipeline.stuck-after, or held up by a permanent fault")
                .register(meters);
        Gauge.builder("pipeline.permanent.faults", this, s -> s.permanentFaults().size())
                .description("permanent faults seen (access denied, missing bucket, unauthorised topic): an operator must act")
                .register(meters);
    }

    /** One piece of work retried in place: {@link #failed} after each failed attempt, {@link #close} when it ends. */
    public final class Attempt implements AutoCloseable {
        private final long id = ids.incrementAndGet();
        private final Object what; // a String or the intercepted Method, named only when something fails
        private final Instant since = Instant.now();
        private volatile String reason;
        private volatile boolean permanent;

        private Attempt(Object what) {
            this.what = what;
        }

        public String what() {
            return what instanceof Method m ? m.getDeclaringClass().getSimpleName() + "." + m.getName() : String.valueOf(what);
        }

        public void failed(Throwable failure) {
            reason = String.valueOf(failure.getMessage());
            permanent = Outages.isPermanent(failure);
            retrying.put(id, this);
        }

        String describe() {
            return what() + ": " + (permanent ? "permanent fault, " : "") + "retried since " + since + ": " + reason;
        }

        @Override
        public void close() {
            retrying.remove(id);
        }
    }

    public Attempt begin(String what) {
        return new Attempt(what);
    }

    /** For the retry interceptor: the method's name is built only if the call fails (not on every message). */
    Attempt begin(Method method) {
        return new Attempt(method);
    }

    /** Work retried for longer than the threshold, or held up by a permanent fault. */
    public List<String> stuck() {
        Instant cutoff = Instant.now().minus(stuckAfter);
        List<String> out = new ArrayList<>();
        retrying.values().stream().filter(a -> a.permanent || a.since.isBefore(cutoff)).forEach(a -> out.add(a.describe()));
        return out;
    }

    public List<String> permanentFaults() {
        List<String> out = new ArrayList<>();
        retrying.values().stream().filter(a -> a.permanent).forEach(a -> out.add(a.describe()));
        store.recentPermanentFault().ifPresent(out::add);
        return out;
    }

    /** What readiness reports: every stuck record and permanent fault, each once. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(stuck());
        permanentFaults().stream().filter(p -> !problems.contains(p)).forEach(problems::add);
        return problems;
    }

    /** Readiness follows stuck work: DOWN with the reasons while anything is stuck, UP by itself once it moves. */
    @Readiness
    @ApplicationScoped
    public static class Check implements HealthCheck {
        private final StuckWork stuck;

        public Check(StuckWork stuck) {
            this.stuck = stuck;
        }

        @Override
        public HealthCheckResponse call() {
            List<String> problems = stuck.problems();
            return HealthCheckResponse.named("stuck-work").status(problems.isEmpty())
                    .withData("reason", problems.isEmpty() ? "nothing stuck" : String.join("; ", problems))
                    .withData("stuck", problems.size()).build();
        }
    }
}
