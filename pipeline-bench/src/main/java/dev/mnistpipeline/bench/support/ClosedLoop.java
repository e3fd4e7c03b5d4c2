package dev.mnistpipeline.bench.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.mnistpipeline.bench.support.Figures.percentile;
import static dev.mnistpipeline.bench.support.Figures.round;

/** Closed-loop serving load: each client sends its next request when the last is answered. */
public final class ClosedLoop {
    private ClosedLoop() {
    }

    /** One request of a client. */
    @FunctionalInterface
    public interface Call {
        void send(PredictTraffic client, int index) throws Exception;
    }

    /** Requests of one kind: their latencies in milliseconds, over {@code seconds} of sending. */
    public record Phase(List<Double> millis, double seconds) {
        public static final Phase NONE = new Phase(List.of(), 0);

        public Phase plus(Phase other) {
            List<Double> all = new ArrayList<>(millis);
            all.addAll(other.millis);
            return new Phase(all, seconds + other.seconds);
        }

        public int requests() {
            return millis.size();
        }

        public double[] sorted() {
            return millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }

        public double throughput() {
            return requests() / seconds;
        }

        public Map<String, Object> figures() {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("throughput_per_s", round(throughput()));
            f.put("p50_ms", round(percentile(sorted(), 0.50)));
            f.put("p99_ms", round(percentile(sorted(), 0.99)));
            f.put("requests", requests());
            return f;
        }
    }

    /** {@code clients} clients of {@code traffic}, each on its own connection, sending back to back for {@code length}. */
    public static Phase drive(PredictTraffic traffic, Call call, Duration length, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + length.toNanos();
        List<Future<double[]>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int offset = c * 613;
            PredictTraffic client = traffic.newClient();
            running.add(pool.submit(() -> {
                double[] millis = new double[1 << 14];
                int n = 0;
                for (int i = offset; ; i++) {
                    long sent = System.nanoTime();
                    if (sent >= end) {
                        return Arrays.copyOf(millis, n);
                    }
                    call.send(client, i);
                    if (n == millis.length) {
                        millis = Arrays.copyOf(millis, n * 2);
                    }
                    millis[n++] = (System.nanoTime() - sent) / 1e6;
                }
            }));
        }
        List<Double> all = new ArrayList<>();
        for (Future<double[]> f : running) {
            Arrays.stream(f.get()).forEach(all::add);
        }
        pool.shutdown();
        return new Phase(all, length.toSeconds());
    }
}
