package dev.mnistpipeline.stack.containers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One container as the stack runs it: image, network name and alias, environment, and the confinement a pod's
 * securityContext asks for.
 *
 * @param user             numeric user to run as (the manifests' runAsUser)
 * @param readOnlyRoot     the root filesystem cannot be written; only {@code writablePaths} can
 * @param writablePaths    the only writable paths: a tmpfs each (what an emptyDir is to a pod)
 * @param memoryBytes      the memory limit, or 0 for none
 * @param ports            container port to the host port it is published on, on 127.0.0.1 only
 * @param readOnlyMounts   host directory to the path it is mounted at, read-only (data a test or user supplies)
 */
public record ContainerSpec(String name, String image, String network, String alias, Map<String, String> env,
                            String user, boolean readOnlyRoot, List<String> writablePaths, boolean dropAllCapabilities,
                            boolean noNewPrivileges, long memoryBytes, Map<Integer, Integer> ports,
                            Map<String, String> readOnlyMounts) {

    /** The same container with {@code hostDir} mounted read-only at {@code path}. */
    public ContainerSpec withReadOnlyMount(String hostDir, String path) {
        Map<String, String> mounts = new LinkedHashMap<>(readOnlyMounts);
        mounts.put(hostDir, path);
        return new ContainerSpec(name, image, network, alias, env, user, readOnlyRoot, writablePaths, dropAllCapabilities,
                noNewPrivileges, memoryBytes, ports, Map.copyOf(mounts));
    }

    /** An infrastructure container (broker, S3): confined as a service is, writing only under {@code dataPath}. */
    static ContainerSpec confined(String name, String image, String network, String alias, Map<String, String> env,
                                  String dataPath, Map<Integer, Integer> ports) {
        return new ContainerSpec(name, image, network, alias, env, PodTemplate.DEFAULT_USER, true, List.of(dataPath),
                true, true, 0, ports, Map.of());
    }
}
