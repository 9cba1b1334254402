package io.mlhub.hub.spawn.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.WorkspaceNames;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, checks and removes the bridge network of each user. The engine picks the subnet from its
 * configured default address pools; a subnet outside the private ranges is rejected.
 *
 * <p>NOTE: Docker's built-in default pools hold about 30 bridge networks (172.17-31.0.0/16 and
 * 192.168.0.0/16 in /20 steps), so a hub with more concurrent users needs larger {@code default-address-pools}
 * in the engine's daemon.json, such as {@code {"base": "172.17.0.0/16", "size": 24}} for 256 networks. Until
 * then further users' starts fail with a message that names that setting.
 */
final class UserNetworks {
    private static final Logger logger = LoggerFactory.getLogger(UserNetworks.class);

    private final DockerClient docker;
    private final DockerSpawnerConfig config;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    UserNetworks(DockerClient docker, DockerSpawnerConfig config) {
        this.docker = docker;
        this.config = config;
    }

    /** Creates the user's network unless it exists, joins the hub's container to it, and returns its name. */
    String ensure(String user) throws SpawnException {
        String name = WorkspaceNames.network(config.hubName(), user);
        ReentrantLock lock = locks.computeIfAbsent(name, key -> new ReentrantLock());
        lock.lock();
        try {
            Network network = inspectOrCreate(name, user);
            requireOwned(network);
            requirePrivateSubnets(network);
            joinHub(network);
            return name;
        } catch (RuntimeException engineError) {
            String message = DockerSpawner.engineMessage(engineError);
            if (isPoolExhausted(message)) {
                throw new SpawnException(poolExhaustedMessage(name, message), engineError);
            }
            throw new SpawnException("failed to prepare network " + name + ": " + message, engineError);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns whether the engine rejected a network because its address pools have no free subnet left. The message
     * of Docker 20.10.24 is "could not find an available, non-overlapping IPv4 address pool among the defaults".
     * The wording "all predefined address pools have been fully subnetted", from older engines, is matched too.
     */
    static boolean isPoolExhausted(String engineMessage) {
        return engineMessage.contains("non-overlapping") && engineMessage.contains("address pool")
                || engineMessage.contains("fully subnetted");
    }

    static String poolExhaustedMessage(String network, String engineMessage) {
        return "failed to create network " + network + ": the Docker engine's address pools have no free subnet left "
                + "(each user's workspaces get a network of their own). Give the engine more networks with "
                + "default-address-pools in /etc/docker/daemon.json, such as {\"base\": \"172.17.0.0/16\", "
                + "\"size\": 24} for 256 networks, and restart it, or remove unused networks. Engine message: "
                + engineMessage;
    }

    private Network inspectOrCreate(String name, String user) {
        try {
            return docker.inspectNetworkCmd().withNetworkId(name).exec();
        } catch (NotFoundException missing) {
            try {
                docker.createNetworkCmd()
                        .withName(name)
                        .withDriver("bridge")
                        .withCheckDuplicate(true)
                        .withLabels(Map.of(Labels.ORIGIN, config.hubName(), Labels.USER, user))
                        .exec();
                logger.info("user network created engine=docker network={}", name);
            } catch (ConflictException createdMeanwhile) {
                logger.debug("user network created by another call engine=docker network={}", name);
            }
            return docker.inspectNetworkCmd().withNetworkId(name).exec();
        }
    }

    private void requireOwned(Network network) throws SpawnException {
        Map<String, String> labels = network.getLabels();
        if (labels == null || !config.hubName().equals(labels.get(Labels.ORIGIN))) {
            throw new SpawnException("network " + network.getName() + " exists but was not created by hub "
                    + config.hubName() + "; remove or rename it");
        }
    }

    private void requirePrivateSubnets(Network network) throws SpawnException {
        List<Network.Ipam.Config> subnets = network.getIpam() == null ? List.of() : network.getIpam().getConfig();
        for (Network.Ipam.Config subnet : subnets == null ? List.<Network.Ipam.Config>of() : subnets) {
            if (subnet.getSubnet() != null && !PrivateSubnets.isPrivate(subnet.getSubnet())) {
                docker.removeNetworkCmd(network.getId()).exec();
                throw new SpawnException("network " + network.getName() + " got subnet " + subnet.getSubnet()
                        + ", outside the private ranges; set private default-address-pools in the Docker engine's "
                        + "daemon.json");
            }
        }
    }

    private void joinHub(Network network) throws SpawnException {
        String hub = config.hubContainer();
        if (hub == null) {
            return;
        }
        boolean joined = network.getContainers() != null && network.getContainers().values().stream()
                .anyMatch(endpoint -> hub.equals(endpoint.getName()));
        joined = joined || (network.getContainers() != null && network.getContainers().keySet().stream()
                .anyMatch(id -> id.startsWith(hub)));
        if (joined) {
            return;
        }
        try {
            docker.connectToNetworkCmd().withNetworkId(network.getId()).withContainerId(hub).exec();
            logger.info("hub joined user network engine=docker network={} hub={}", network.getName(), hub);
        } catch (DockerException failed) {
            throw new SpawnException("the hub's container " + hub + " failed to join network " + network.getName()
                    + ": " + DockerSpawner.engineMessage(failed), failed);
        }
    }

    /**
     * Removes the user's network when none of the user's workspace containers is attached to it any more, so
     * that it does not hold an address pool. The hub's own container does not count.
     */
    void removeIfUnused(String user) {
        String name = WorkspaceNames.network(config.hubName(), user);
        ReentrantLock lock = locks.computeIfAbsent(name, key -> new ReentrantLock());
        lock.lock();
        try {
            List<?> workspaces = docker.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(Labels.ORIGIN, config.hubName(), Labels.USER, user))
                    .exec();
            if (!workspaces.isEmpty()) {
                return;
            }
            Network network = docker.inspectNetworkCmd().withNetworkId(name).exec();
            String hub = config.hubContainer();
            if (hub != null && network.getContainers() != null && !network.getContainers().isEmpty()) {
                docker.disconnectFromNetworkCmd().withNetworkId(name).withContainerId(hub).withForce(true).exec();
            }
            docker.removeNetworkCmd(name).exec();
            logger.info("user network removed engine=docker network={}", name);
        } catch (NotFoundException alreadyGone) {
            logger.debug("user network already gone engine=docker network={}", name);
        } catch (DockerException stillUsed) {
            logger.warn("failed to remove user network engine=docker network={} error={}", name,
                    DockerSpawner.engineMessage(stillUsed));
        } finally {
            lock.unlock();
        }
    }
}
