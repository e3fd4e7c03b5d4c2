package dev.mnistpipeline.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * CPU time a JVM's just-in-time compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}) have used, from
 * {@code /proc/<pid>/task}. A service started for a run compiles its hot paths for minutes on a shared 2-core
 * machine, on the same cores as its work, and each replica compiles them again: this tells the compiling apart from
 * the steady state.
 * <p>
 * One instance follows one process, and keeps the last reading of every compiler thread it has seen: the JVM ends
 * idle compiler threads and starts new ones as its queue changes ({@code UseDynamicNumberOfCompilerThreads}), and a
 * sum over the threads alive now went backwards when one ended (a C1-only run reported −13 %).
 */
public final class CompilerCpu {
    /** Clock ticks per second of {@code /proc}'s times ({@code getconf CLK_TCK}, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Path tasks;
    /** A compiler thread's id and start time (ids are reused) → its CPU ticks at the last reading. */
    private final Map<String, Long> ticksByThread = new ConcurrentHashMap<>();

    public CompilerCpu(long pid) {
        this(Path.of("/proc", Long.toString(pid), "task"));
    }

    /** @param tasks a process's {@code /proc/<pid>/task} directory */
    CompilerCpu(Path tasks) {
        this.tasks = tasks;
    }

    /** Seconds so far, counting threads that have ended; NaN where {@code /proc} cannot be read. */
    public double seconds() {
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(this::read);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return ticksByThread.values().stream().mapToLong(Long::longValue).sum() / TICKS_PER_SECOND;
    }

    /** Records one thread's ticks if it is a compiler thread; one that ended meanwhile keeps its last reading. */
    private void read(Path thread) {
        try {
            if (!isCompiler(Files.readString(thread.resolve("comm")).trim())) {
                return;
            }
            // Fields after the parenthesised name, from field 3: utime and stime are 14 and 15, start time 22.
            String stat = Files.readString(thread.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticksByThread.merge(thread.getFileName() + "@" + fields[19],
                    Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Math::max);
        } catch (IOException e) {
            // the thread ended between the listing and the read: its last reading stands
        }
    }

    static boolean isCompiler(String threadName) {
        return threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler");
    }
}
