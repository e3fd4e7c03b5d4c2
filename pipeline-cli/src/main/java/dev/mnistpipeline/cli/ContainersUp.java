package dev.mnistpipeline.cli;

import dev.mnistpipeline.stack.containers.ContainerEngine;
import dev.mnistpipeline.stack.containers.ContainerImages;
import dev.mnistpipeline.stack.containers.ContainerInfrastructure;
import dev.mnistpipeline.stack.containers.ContainerStack;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.Ports;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code ./pipeline up --containers}: the same stack from the images, on the same ports as {@code up}, left running.
 * The containers outlive this process; {@code down} removes them by their stack label, named in {@link #MARKER}.
 */
final class ContainersUp {
    /** In .pipeline/up: the name of the container stack that is up. */
    static final String MARKER = "containers";
    static final String STACK = "up";

    private ContainersUp() {
    }

    static int up() throws Exception {
        Layout layout = Layout.detect();
        Path dir = layout.stateDir().resolve("up");
        Files.createDirectories(dir);
        UpCommand.requireNothingUp(dir);
        Ports.requireFree(UpCommand.upPorts());
        ContainerEngine engine = ContainerEngine.connect();
        engine.removeStack(STACK); // what a failed earlier start may have left
        System.out.println("Kafka in the container stack is plaintext without ACLs, on its own container network and published"
                + " on 127.0.0.1 only; S3 has a key per service; every endpoint needs its API token.");
        ContainerInfrastructure infra = ContainerInfrastructure.start(engine, ContainerImages.of(layout), STACK,
                UpCommand.UP_KAFKA_PORT, UpCommand.UP_S3_PORT);
        ContainerStack stack;
        try {
            stack = new ContainerStack(layout, engine, infra, UpCommand.UP_PORTS, Map.of()).start();
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        Files.writeString(dir.resolve(MARKER), STACK + "\n");
        UpCommand.writeClientFiles(dir, infra, stack);
        UpCommand.printStack(layout, dir, infra, stack, "   plaintext, containers (see 'podman ps')");
        return 0;
    }

    /** Removes the container stack that is up, if one is; returns how many containers it removed, or -1 if none was up. */
    static int down(Path dir) throws IOException {
        Path marker = dir.resolve(MARKER);
        if (!Files.exists(marker)) {
            return -1;
        }
        int removed = ContainerEngine.connect().removeStack(Files.readString(marker).trim());
        Files.delete(marker);
        return removed;
    }
}
