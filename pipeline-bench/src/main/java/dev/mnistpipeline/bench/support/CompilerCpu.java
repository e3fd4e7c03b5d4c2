package dev.mnistpipeline.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time a JVM's just-in-time compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}) have used, from
 * {@code /proc/<pid>/task}. A service started for a run compiles its hot paths for minutes on a shared 2-core
 * machine, on the same cores as its work, and each replica compiles them again: this tells the compiling apart from
 * the steady state.
 */
public final class CompilerCpu {
    /** Clock ticks per second of {@code /proc}'s times ({@code getconf CLK_TCK}, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private CompilerCpu() {
    }

    /** Seconds so far; NaN where {@code /proc} cannot be read. */
    public static double seconds(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.filter(CompilerCpu::isCompiler).mapToLong(CompilerCpu::ticks).sum() / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static boolean isCompiler(Path thread) {
        try {
            String name = Files.readString(thread.resolve("comm")).trim();
            return name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler");
        } catch (IOException e) {
            return false; // the thread ended meanwhile
        }
    }

    /** utime + stime of one thread: fields 14 and 15 of its stat, counted after the parenthesised name. */
    private static long ticks(Path thread) {
        try {
            String stat = Files.readString(thread.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            return 0;
        }
    }
}
