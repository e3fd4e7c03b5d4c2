package dev.mnistpipeline.stack.client;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logging for the command line and the benchmarks: INFO and above. The JBoss LogManager on this class path (a
 * dependency of the Quarkus artifacts) answers every level as loggable while unconfigured, and the JDK's HttpClient
 * then formats a debug line for every read and write: more than half of the client's CPU in
 * {@code predict-throughput}, where 16 clients share 2 cores with the server.
 */
public final class ClientLogging {
    private ClientLogging() {
    }

    /** Call first thing in {@code main}, before anything logs. */
    public static void infoAndAbove() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        Logger.getLogger("").setLevel(Level.INFO);
    }
}
