package io.mlhub.hub.spawn.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Docker container the hub itself runs in, so that the spawner can connect it to each user's network.
 *
 * <p>Candidate ids come from this process's view of its container: the engine's per-container files mounted at
 * {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf} ({@code /proc/self/mountinfo}), the
 * cgroup path ({@code /proc/self/cgroup}, cgroup v1 and the systemd driver), and, when {@code /.dockerenv}
 * exists, {@code HOSTNAME} (the short id unless {@code --hostname} changed it). A candidate counts only when the
 * engine inspects it and returns a container whose id starts with it, so a hub on the host with a look-alike
 * host name is not taken for a container.
 */
public final class HubContainerDetector {
    private static final Logger logger = LoggerFactory.getLogger(HubContainerDetector.class);
    private static final Pattern MOUNTED_ID = Pattern.compile("/containers/([0-9a-f]{64})/");
    /** The files the engine mounts into each container from the container's folder on the host. */
    private static final Set<String> ENGINE_MOUNT_POINTS = Set.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf");
    private static final Pattern CGROUP_ID = Pattern.compile("(?:/docker[/-]|docker-)([0-9a-f]{64})(?:\\.scope)?");
    private static final Pattern SHORT_ID = Pattern.compile("[0-9a-f]{12,64}");

    /**
     * The hub's own container as the engine reports it.
     *
     * @param hostNetwork whether it runs in the host's network namespace ({@code --network host}), where it reaches
     *     workspaces as a process on the host does and cannot join other networks
     */
    public record HubContainer(String id, String name, boolean hostNetwork) {
        public HubContainer {
            requireNonNull(id, "id");
            requireNonNull(name, "name");
        }
    }

    /** Looks up a container by id or name. Returns empty when the engine has no such container. */
    @FunctionalInterface
    interface Inspector {
        Optional<HubContainer> inspect(String idOrName) throws IOException;
    }

    private HubContainerDetector() {}

    /**
     * Returns the container the hub runs in, confirmed by the engine at {@code dockerHost}, or empty when the hub
     * runs on the host or the engine does not know the container. Logs the outcome in one line.
     */
    public static Optional<HubContainer> detect(URI dockerHost) {
        List<String> candidates = candidateIds(Path.of("/"), System.getenv());
        if (candidates.isEmpty()) {
            logger.info("hub runs on the host, not in a container engine=docker");
            return Optional.empty();
        }
        DefaultDockerClientConfig clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost.toString())
                .build();
        try (ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(30))
                .build()) {
            DockerClient docker = DockerClientImpl.getInstance(clientConfig, http);
            return confirm(candidates, idOrName -> inspect(docker, idOrName));
        } catch (IOException e) {
            logger.warn("closing the engine client failed engine=docker error={}", e.toString());
            return Optional.empty();
        }
    }

    /**
     * Returns the first candidate that the engine confirms, logging which container the hub runs in, or that none
     * was confirmed.
     */
    static Optional<HubContainer> confirm(List<String> candidates, Inspector inspector) {
        for (String candidate : candidates) {
            try {
                Optional<HubContainer> found = inspector.inspect(candidate);
                if (found.isPresent() && found.get().id().startsWith(candidate) && found.get().hostNetwork()) {
                    logger.info("hub runs in a container with the host's network, so it is treated as on the host "
                            + "engine=docker container={}", found.get().name());
                    return Optional.empty();
                }
                if (found.isPresent() && found.get().id().startsWith(candidate)) {
                    logger.info("hub runs in a container engine=docker container={} id={}", found.get().name(),
                            found.get().id().substring(0, 12));
                    return found;
                }
            } catch (IOException | RuntimeException e) {
                logger.warn("inspecting a possible hub container failed engine=docker candidate={} error={}",
                        candidate, e.toString());
            }
        }
        logger.info("hub runs on the host: the engine knows none of its container ids engine=docker candidates={}",
                candidates);
        return Optional.empty();
    }

    /**
     * Returns the ids that may name the hub's container, most reliable first, read from the files under
     * {@code root} (normally {@code /}) and the environment. Empty when nothing hints at a container.
     */
    static List<String> candidateIds(Path root, Map<String, String> env) {
        Set<String> ids = new LinkedHashSet<>();
        addMountedIds(ids, read(root.resolve("proc/self/mountinfo")));
        addMatches(ids, read(root.resolve("proc/self/cgroup")), CGROUP_ID);
        String hostName = env.get("HOSTNAME");
        if (Files.exists(root.resolve(".dockerenv")) && hostName != null
                && SHORT_ID.matcher(hostName.strip()).matches()) {
            ids.add(hostName.strip());
        }
        return List.copyOf(ids);
    }

    /**
     * Connects the hub's container to every user network this hub created that it has not joined, so that a hub
     * container started again (with a new id) reaches the workspaces it adopts.
     */
    public static void joinUserNetworks(DockerClient docker, String hubName, String hubContainer) {
        List<Network> networks = docker.listNetworksCmd()
                .withFilter("label", List.of(Labels.ORIGIN + "=" + hubName))
                .exec();
        InspectContainerResponse hub = docker.inspectContainerCmd(hubContainer).exec();
        Set<String> joined = hub.getNetworkSettings() == null || hub.getNetworkSettings().getNetworks() == null
                ? Set.of() : hub.getNetworkSettings().getNetworks().keySet();
        for (Network network : networks) {
            if (joined.contains(network.getName())) {
                continue;
            }
            try {
                docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(hubContainer).exec();
                logger.info("hub joined user network engine=docker network={} hub={}", network.getName(),
                        hubContainer);
            } catch (DockerException e) {
                logger.warn("hub failed to join user network engine=docker network={} hub={} error={}",
                        network.getName(), hubContainer, DockerSpawner.engineMessage(e));
            }
        }
    }

    private static Optional<HubContainer> inspect(DockerClient docker, String idOrName) {
        try {
            InspectContainerResponse container = docker.inspectContainerCmd(idOrName).exec();
            String name = container.getName() == null ? container.getId() : container.getName().replaceFirst("^/", "");
            boolean hostNetwork = container.getHostConfig() != null
                    && "host".equals(container.getHostConfig().getNetworkMode());
            return Optional.of(new HubContainer(container.getId(), name, hostNetwork));
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Adds the ids in the mount sources of the engine's per-container files. A mountinfo line reads
     * {@code id parent major:minor root mount-point options ...}. On the host, other containers' folders show up as
     * mount points (their {@code shm}), never as the root of {@code /etc/hostname}.
     */
    private static void addMountedIds(Set<String> ids, @Nullable String mountinfo) {
        if (mountinfo == null) {
            return;
        }
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && ENGINE_MOUNT_POINTS.contains(fields[4])) {
                addMatches(ids, fields[3], MOUNTED_ID);
            }
        }
    }

    private static void addMatches(Set<String> ids, @Nullable String text, Pattern pattern) {
        if (text == null) {
            return;
        }
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            ids.add(matcher.group(1));
        }
    }

    private static @Nullable String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
