package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.Ports;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 'down' stops only the processes 'up' recorded, and 'up' refuses busy ports before it starts anything. */
class StackProcessesTest {

    @Test
    void aRecordedProcessIsStillOursOnlyWhileItsStartTimeMatches() {
        long pid = ProcessHandle.current().pid();
        String line = StackProcesses.line(pid);
        assertEquals(List.of(pid), StackProcesses.stillOurs(List.of(line)).stream().map(ProcessHandle::pid).toList());
        // The same PID with another start time is another program that got the number: never stopped.
        assertTrue(StackProcesses.stillOurs(List.of(pid + " 2001-01-01T00:00:00Z")).isEmpty());
        assertTrue(StackProcesses.stillOurs(List.of(Long.toString(pid))).isEmpty(), "no start time recorded: not provably ours");
        assertTrue(StackProcesses.stillOurs(List.of("", "999999999 2001-01-01T00:00:00Z")).isEmpty(), "gone, or blank");
    }

    @Test
    void busyPortsAreRefusedByName() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int free = Ports.free();
            Ports.requireFree(Map.of("S3", free));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Ports.requireFree(Map.of("Kafka", taken.getLocalPort(), "S3", free)));
            assertTrue(e.getMessage().contains(taken.getLocalPort() + " (Kafka)") && !e.getMessage().contains("(S3)"), e.getMessage());
        }
    }
}
