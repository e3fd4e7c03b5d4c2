package dev.mnistpipeline.bench.support;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compiler CPU from a process's threads: a {@code /proc}-shaped directory, and this very JVM. */
class CompilerCpuTest {

    @Test
    void aCompilerThreadThatEndsKeepsItsLastReading(@TempDir Path tasks) throws IOException {
        thread(tasks, 101, "C2 CompilerThre", 300, 20, 5000);
        thread(tasks, 102, "C1 CompilerThre", 40, 10, 5001);
        thread(tasks, 103, "vert.x-eventloo", 900, 100, 5002);
        CompilerCpu compiler = new CompilerCpu(tasks);
        assertEquals(3.7, compiler.seconds(), 1e-9, "C2 320 ticks + C1 50, not the event loop");

        deleteThread(tasks, 102); // the JVM ended an idle C1 thread
        thread(tasks, 101, "C2 CompilerThre", 350, 20, 5000);
        assertEquals(4.2, compiler.seconds(), 1e-9, "C2 370 ticks + C1's last 50");

        thread(tasks, 102, "C1 CompilerThre", 5, 0, 6000); // a new thread that got an old one's id
        assertEquals(4.25, compiler.seconds(), 1e-9);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisJvmsCompilerThreads() {
        double seconds = new CompilerCpu(ProcessHandle.current().pid()).seconds();
        assertFalse(Double.isNaN(seconds), "/proc/<pid>/task is readable on Linux");
        assertTrue(seconds >= 0, "got " + seconds);
    }

    @Test
    void aProcessThatDoesNotExistReadsAsNaN(@TempDir Path dir) {
        assertTrue(Double.isNaN(new CompilerCpu(dir.resolve("gone")).seconds()));
    }

    /** A thread's {@code comm} and a {@code stat} line with the given utime, stime and start time. */
    private static void thread(Path tasks, int id, String name, long utime, long stime, long started) throws IOException {
        Path dir = Files.createDirectories(tasks.resolve(Integer.toString(id)));
        Files.writeString(dir.resolve("comm"), name + "\n");
        StringBuilder stat = new StringBuilder(id + " (" + name + ") S");
        for (int field = 4; field <= 52; field++) {
            long value = switch (field) {
                case 14 -> utime;
                case 15 -> stime;
                case 22 -> started;
                default -> 0;
            };
            stat.append(' ').append(value);
        }
        Files.writeString(dir.resolve("stat"), stat + "\n");
    }

    private static void deleteThread(Path tasks, int id) throws IOException {
        Path dir = tasks.resolve(Integer.toString(id));
        Files.delete(dir.resolve("comm"));
        Files.delete(dir.resolve("stat"));
        Files.delete(dir);
    }
}
