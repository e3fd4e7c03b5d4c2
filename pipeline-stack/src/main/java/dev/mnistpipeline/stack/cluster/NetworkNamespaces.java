package dev.mnistpipeline.stack.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hosts of their own on one machine: each host is a Linux network namespace with one address, cabled by a veth pair
 * to a bridge that lives in a namespace of its own (the switch). This process reaches them through one more cable
 * from its own namespace, so tests talk to the hosts, and nothing else. {@link #cut} unplugs a host's cable at the
 * switch: the host keeps running but every packet to or from it is dropped, as when a node's network fails.
 *
 * <p>Needs root and iproute2 ({@link #unavailableBecause()} says why not). Everything it made goes away on
 * {@link #close()}, and a JVM shutdown hook does the same if the caller never gets there.
 */
public final class NetworkNamespaces implements AutoCloseable {
    private static final String BRIDGE = "br0";
    private static final String LOCAL_CABLE = "local";

    private final String prefix;
    private final String subnet;
    private final String switchNamespace;
    private final Map<String, String> addresses = new LinkedHashMap<>();
    private final Thread cleanup = new Thread(this::removeAll, "remove-network-namespaces");
    private boolean closed;

    private NetworkNamespaces(String prefix, String subnet) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.switchNamespace = prefix + "-switch";
    }

    /** Null where namespaces can be made here, otherwise why they cannot (not root, no iproute2, not permitted). */
    public static String unavailableBecause() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "network namespaces need root (running as " + System.getProperty("user.name") + ")";
        }
        String probe = "mp-probe-" + ProcessHandle.current().pid();
        try {
            run("ip", "netns", "add", probe);
            run("ip", "netns", "del", probe);
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot create a network namespace here: " + e.getMessage();
        }
    }

    /**
     * A switch and a cable to this process's namespace, on a private /24 that no route of this machine covers.
     * Host names must be short (interface names are at most 15 characters).
     */
    public static NetworkNamespaces create() throws IOException {
        String prefix = "mp" + Long.toString(ProcessHandle.current().pid() % 100_000, 36);
        NetworkNamespaces net = new NetworkNamespaces(prefix, freeSubnet());
        Runtime.getRuntime().addShutdownHook(net.cleanup);
        try {
            run("ip", "netns", "add", net.switchNamespace);
            run("ip", "-n", net.switchNamespace, "link", "add", BRIDGE, "type", "bridge");
            run("ip", "-n", net.switchNamespace, "link", "set", BRIDGE, "up");
            String local = prefix + "-" + LOCAL_CABLE;
            run("ip", "link", "add", local, "type", "veth", "peer", "name", LOCAL_CABLE, "netns", net.switchNamespace);
            run("ip", "addr", "add", net.subnet + ".1/24", "dev", local);
            run("ip", "link", "set", local, "up");
            net.plugIn(LOCAL_CABLE);
            return net;
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
    }

    /** A new host on the switch, with the next address; returns it. */
    public String addHost(String name) throws IOException {
        if (name.length() > 8 || !name.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("host names are 1-8 lower-case letters or digits: " + name);
        }
        String namespace = namespace(name);
        String address = subnet + "." + (10 + addresses.size());
        String nic = prefix + "-" + name;
        run("ip", "netns", "add", namespace);
        addresses.put(name, address);
        run("ip", "-n", namespace, "link", "set", "lo", "up");
        run("ip", "link", "add", nic, "type", "veth", "peer", "name", name, "netns", switchNamespace);
        run("ip", "link", "set", nic, "netns", namespace);
        run("ip", "-n", namespace, "addr", "add", address + "/24", "dev", nic);
        run("ip", "-n", namespace, "link", "set", nic, "up");
        plugIn(name);
        return address;
    }

    public String address(String host) {
        String address = addresses.get(host);
        if (address == null) {
            throw new IllegalArgumentException("no host " + host + " (hosts: " + addresses.keySet() + ")");
        }
        return address;
    }

    /** {@code command} run on {@code host}: in its namespace, as its only network. */
    public List<String> onHost(String host, List<String> command) {
        address(host);
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Unplugs the host's cable at the switch: its packets are dropped both ways until {@link #heal}. */
    public void cut(String host) throws IOException {
        address(host);
        run("ip", "-n", switchNamespace, "link", "set", host, "down");
    }

    public void heal(String host) throws IOException {
        address(host);
        run("ip", "-n", switchNamespace, "link", "set", host, "up");
    }

    private void plugIn(String port) throws IOException {
        run("ip", "-n", switchNamespace, "link", "set", port, "master", BRIDGE);
        run("ip", "-n", switchNamespace, "link", "set", port, "up");
    }

    private String namespace(String host) {
        return prefix + "-" + host;
    }

    /** 10.213.X.0/24 with X free of this machine's routes. */
    private static String freeSubnet() throws IOException {
        String routes = output("ip", "-4", "route", "show", "table", "all");
        for (int attempt = 0; attempt < 50; attempt++) {
            String candidate = "10.213." + ThreadLocalRandom.current().nextInt(1, 255);
            if (!routes.contains(candidate + ".") && !routes.contains("10.213.0.0/16") && !routes.contains("10.0.0.0/8")) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free 10.213.X.0/24 for the test network");
    }

    /** Removes every namespace (and with them their cables); processes still running in one keep it alive until they exit. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run
        }
    }

    private synchronized void removeAll() {
        if (closed) {
            return;
        }
        closed = true;
        for (String host : addresses.keySet()) {
            quietly("ip", "netns", "del", namespace(host));
        }
        quietly("ip", "link", "del", prefix + "-" + LOCAL_CABLE);
        quietly("ip", "netns", "del", switchNamespace);
    }

    private static void quietly(String... command) {
        try {
            run(command);
        } catch (IOException | RuntimeException ignored) {
            // already gone
        }
    }

    private static void run(String... command) throws IOException {
        output(command);
    }

    private static String output(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }
}
