package dev.mnistpipeline.bench.support;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CpuQuotaTest {

    /** A process spinning on one core gets about its quota, the kernel counts it throttled, and the group goes away. */
    @Test
    void holdsAProcessToItsShareAndRemovesItsGroup() throws Exception {
        String unavailable = CpuQuota.unavailableBecause();
        assumeTrue(unavailable == null, () -> "no control groups to test with: " + unavailable);
        Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
        Path group;
        try (CpuQuota quota = CpuQuota.create("test", 0.1)) {
            quota.add(spinner.pid());
            group = groupOf(spinner.pid());
            double before = cpuSeconds(spinner);
            Thread.sleep(Duration.ofSeconds(2).toMillis());
            double used = cpuSeconds(spinner) - before;
            // 0.2 s of CPU in 2 s at 0.1 cores; unlimited it would take up to 2 s. Generous both ways for a loaded machine.
            assertTrue(used < 0.6, "the spinner used " + used + " s of CPU in 2 s at a quota of 0.1 cores");
            assertTrue(quota.throttledSeconds() > 0, "the kernel never throttled the group");
        } finally {
            spinner.destroyForcibly().waitFor();
        }
        assertFalse(Files.exists(group), group + " is left behind");
    }

    @Test
    void refusesAShareOutsideTheMachine() {
        assumeTrue(CpuQuota.unavailableBecause() == null, "no control groups to test with");
        assertThrows(IllegalArgumentException.class, () -> CpuQuota.create("test", 0));
        assertThrows(IllegalArgumentException.class, () -> CpuQuota.create("test", Runtime.getRuntime().availableProcessors() + 1));
    }

    private static double cpuSeconds(Process process) {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElseThrow();
    }

    /** The cpu control group directory the process is in now, from {@code /proc/<pid>/cgroup}. */
    private static Path groupOf(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] field = line.split(":", 3);
            if (field[1].equals("cpu") || field[1].contains("cpu,") || field[1].isEmpty() && !field[2].equals("/")) {
                Path group = Path.of(field[1].isEmpty() ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpu", field[2]);
                assertTrue(field[2].contains("mnist-bench-test"), "the process is not in the quota's group: " + line);
                return group;
            }
        }
        throw new AssertionError("no cpu control group for process " + pid);
    }
}
