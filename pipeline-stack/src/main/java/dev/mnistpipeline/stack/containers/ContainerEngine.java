package dev.mnistpipeline.stack.containers;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import org.testcontainers.DockerClientFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Runs {@link ContainerSpec}s through the Docker API: Docker's, or Podman's API service
 * ({@code podman system service}), found as Testcontainers finds an engine ({@code DOCKER_HOST}, the usual sockets).
 * Everything it creates carries the label {@value #STACK_LABEL} with the stack's name, so a stack can be removed
 * whole, also by a later process ({@code ./pipeline down}).
 *
 * <p>Containers are created through the Docker API client, not Testcontainers' {@code GenericContainer}: a
 * GenericContainer ends with the JVM that started it, and {@code up --containers} must outlive the CLI.
 */
public final class ContainerEngine {
    public static final String STACK_LABEL = "dev.mnistpipeline.stack";
    static final List<String> PODMAN_READ_ONLY_TMPFS = List.of("/run", "/tmp", "/var/tmp");

    private final DockerClient docker;

    private ContainerEngine(DockerClient docker) {
        this.docker = docker;
    }

    /** Whether a Docker API answers here; false (never an exception) where none does. */
    public static boolean available() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    public static ContainerEngine connect() {
        if (!available()) {
            throw new IllegalStateException("No container engine answers: start Podman's API service and set DOCKER_HOST"
                    + " (README.md, \"Container images\"), or start Docker");
        }
        return new ContainerEngine(DockerClientFactory.instance().client());
    }

    /** Whether the engine holds {@code image}; images are built here ({@code ./pipeline images}), never pulled. */
    public boolean hasImage(String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    public void createNetwork(String name, String stack) {
        docker.createNetworkCmd().withName(name).withDriver("bridge").withLabels(Map.of(STACK_LABEL, stack)).exec();
    }

    /** Creates and starts the container; returns its id. */
    public String run(ContainerSpec spec, String stack) {
        List<String> env = new ArrayList<>();
        spec.env().forEach((k, v) -> env.add(k + "=" + v));
        List<ExposedPort> exposed = new ArrayList<>();
        List<PortBinding> bindings = new ArrayList<>();
        spec.ports().forEach((containerPort, hostPort) -> {
            ExposedPort p = ExposedPort.tcp(containerPort);
            exposed.add(p);
            bindings.add(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort), p));
        });
        Map<String, String> tmpfs = new LinkedHashMap<>();
        if (spec.readOnlyRoot()) {
            // Podman gives a read-only container writable tmpfs at these unless told otherwise (--read-only-tmpfs, which
            // its Docker API does not take): mounted read-only, only the spec's paths are writable. A no-op on Docker.
            PODMAN_READ_ONLY_TMPFS.forEach(path -> tmpfs.put(path, "ro"));
        }
        // Any user may write there: the user is the image's or the manifest's, and tmpfs takes no owner option on Podman 4.3.
        spec.writablePaths().forEach(path -> tmpfs.put(path, "rw,mode=1777"));
        List<Bind> binds = new ArrayList<>();
        spec.readOnlyMounts().forEach((hostDir, path) -> binds.add(new Bind(hostDir, new Volume(path), AccessMode.ro)));
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode(spec.network())
                .withReadonlyRootfs(spec.readOnlyRoot())
                .withTmpFs(tmpfs)
                .withBinds(binds)
                .withPortBindings(bindings);
        if (spec.dropAllCapabilities()) {
            host.withCapDrop(Capability.ALL);
        }
        if (spec.noNewPrivileges()) {
            host.withSecurityOpts(List.of("no-new-privileges"));
        }
        if (spec.memoryBytes() > 0) {
            host.withMemory(spec.memoryBytes());
        }
        CreateContainerCmd create = docker.createContainerCmd(spec.image())
                .withName(spec.name())
                .withEnv(env)
                .withUser(spec.user())
                .withExposedPorts(exposed)
                .withAliases(spec.alias())
                .withHostConfig(host);
        // Replaces any default labels, so no JVM hook of Testcontainers removes the container when this process exits.
        create.withLabels(Map.of(STACK_LABEL, stack));
        String id = create.exec().getId();
        docker.startContainerCmd(id).exec();
        return id;
    }

    /** What the engine says a container runs with: the confinement a manifest asks for, and whether it held. */
    public record Confinement(boolean running, int restarts, String user, boolean readOnlyRoot, long memoryBytes,
                              List<String> env) {
    }

    public Confinement confinement(String id) {
        var c = docker.inspectContainerCmd(id).exec();
        HostConfig host = c.getHostConfig();
        List<String> env = new ArrayList<>();
        for (String e : c.getConfig().getEnv() == null ? new String[0] : c.getConfig().getEnv()) {
            env.add(e.substring(0, e.indexOf('=')));
        }
        return new Confinement(Boolean.TRUE.equals(c.getState().getRunning()),
                c.getRestartCount() == null ? 0 : c.getRestartCount(), c.getConfig().getUser(),
                Boolean.TRUE.equals(host.getReadonlyRootfs()), host.getMemory() == null ? 0 : host.getMemory(), env);
    }

    /**
     * Which of {@code candidates} the container's own user can write, tried from inside it: what a read-only root
     * filesystem with its tmpfs mounts leaves writable in fact, whatever the engine reports.
     */
    public List<String> writable(String id, List<String> candidates) {
        return exec(id, "for d in " + String.join(" ", candidates)
                + "; do (touch \"$d/.write-probe\" && rm -f \"$d/.write-probe\") 2>/dev/null && echo \"$d\"; done; true")
                .lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    /** What the container's main process runs with, as its kernel says ({@code /proc/1/status}): capabilities, no_new_privs. */
    public Map<String, String> processStatus(String id) {
        Map<String, String> status = new LinkedHashMap<>();
        exec(id, "cat /proc/1/status").lines().forEach(line -> {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        });
        return status;
    }

    /** Runs {@code sh -c script} in the container as its user; returns what it printed. */
    private String exec(String id, String script) {
        String exec = docker.execCreateCmd(id).withAttachStdout(true).withAttachStderr(true)
                .withCmd("sh", "-c", script).exec().getId();
        return collect(docker.execStartCmd(exec)::exec, 30);
    }

    /** Runs a streaming command and returns what it wrote (stdout and stderr), waiting up to {@code seconds}. */
    private static String collect(Function<ResultCallback.Adapter<Frame>, ResultCallback.Adapter<Frame>> command,
                                  int seconds) {
        StringBuilder out = new StringBuilder();
        try {
            command.apply(new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }).awaitCompletion(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toString();
    }

    public boolean isRunning(String id) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning());
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** The last {@code lines} lines the container wrote (stdout and stderr), for error messages. */
    public String logs(String id, int lines) {
        try {
            return collect(docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)::exec, 10);
        } catch (RuntimeException e) {
            return "(logs unavailable: " + e.getMessage() + ")";
        }
    }

    public void remove(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        }
    }

    /** Removes every container and network of {@code stack}; returns how many containers there were. */
    public int removeStack(String stack) {
        var containers = docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(STACK_LABEL, stack)).exec();
        containers.forEach(c -> remove(c.getId()));
        docker.listNetworksCmd().withFilter("label", List.of(STACK_LABEL + "=" + stack)).exec().forEach(n -> {
            try {
                docker.removeNetworkCmd(n.getId()).exec();
            } catch (NotFoundException e) {
                // already gone
            }
        });
        return containers.size();
    }
}
