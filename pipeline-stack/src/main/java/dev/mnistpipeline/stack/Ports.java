package dev.mnistpipeline.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Port numbers for local stacks. */
public final class Ports {
    private Ports() {
    }

    /** Ports handed out by this process: the OS may offer a just-released port again before anyone binds it. */
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    /** A free port not handed out before by this process (two services of one stack never share a port). */
    public static int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                s.setReuseAddress(true);
                if (GIVEN.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no fresh free port after 100 attempts");
    }

    /**
     * Refuses, naming each, the ports of {@code named} (what listens there, to its port) that something already uses
     * on 127.0.0.1, before a stack starts anything.
     */
    public static void requireFree(Map<String, Integer> named) {
        List<String> busy = new ArrayList<>();
        named.forEach((what, port) -> {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (IOException inUse) {
                busy.add(port + " (" + what + ")");
            }
        });
        if (!busy.isEmpty()) {
            throw new IllegalStateException("port " + String.join(", ", busy) + (busy.size() == 1 ? " is" : " are")
                    + " already in use on 127.0.0.1: stop what listens there (./pipeline down, if it is an earlier stack)");
        }
    }

    public static boolean isOpen(int port) {
        return isOpen("127.0.0.1", port);
    }

    public static boolean isOpen(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
