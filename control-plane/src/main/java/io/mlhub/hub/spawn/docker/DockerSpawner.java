package io.mlhub.hub.spawn.docker;

import static java.util.Objects.requireNonNull;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.mlhub.hub.spawn.AuthorizedKeys;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.ReconnectingWatch;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.SpawnProgress;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.UserResources;
import io.mlhub.hub.spawn.WorkspaceNames;
import io.mlhub.hub.spawn.WorkspaceReadiness;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.WorkspaceWatch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each workspace as a Docker container ({@code EXECUTION_MODE=local}) through the engine's API.
 *
 * <p>A workspace's container, volume and the user's network are named by {@link WorkspaceNames} and
 * labelled {@code mlhub.origin} (the hub name), {@code mlhub.user}, {@code mlhub.server_name} and
 * {@code mlhub.expires_at}. Each user's containers share one bridge network, so they reach each other, while
 * the engine's isolation rules keep other users' containers out. The hub reaches a container at its address
 * on that network. The user's SSH public keys are copied to {@code /etc/mlhub/authorized_keys} in the
 * container, where the workspace image's sshd reads them.
 *
 * <p>Images are never pulled: a missing image fails the start with its name.
 */
public final class DockerSpawner implements Spawner, UserResources, AutoCloseable {
    /** The file in the container where the image's sshd reads the keys that the spawner copies in. */
    public static final String AUTHORIZED_KEYS_PATH = "/etc/mlhub/authorized_keys";
    /** The mount point of a workspace's named volume. */
    public static final String VOLUME_MOUNT = "/workspace";

    private static final Logger logger = LoggerFactory.getLogger(DockerSpawner.class);
    private static final Duration WATCH_INITIAL_BACKOFF = Duration.ofSeconds(1);
    private static final Duration WATCH_MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Pattern EXITED_STATUS = Pattern.compile("Exited \\((-?\\d+)\\).*");

    private final DockerSpawnerConfig config;
    private final ApacheDockerHttpClient httpClient;
    private final DockerClient docker;
    /** Ids of containers already reported as lacking user labels, so every reconcile does not log them again. */
    private final Set<String> unlabelledContainers = ConcurrentHashMap.newKeySet();
    /** A client for the event stream only, without a response timeout, so that a quiet stream stays open. */
    private final ApacheDockerHttpClient eventsHttpClient;
    private final DockerClient eventsDocker;
    private final UserNetworks networks;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private volatile @Nullable EngineCapabilities capabilities;

    public DockerSpawner(DockerSpawnerConfig config) {
        this.config = requireNonNull(config, "config");
        DefaultDockerClientConfig clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(config.dockerHost().toString())
                .build();
        this.httpClient = new ApacheDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .maxConnections(64)
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofMinutes(2))
                .build();
        this.docker = DockerClientImpl.getInstance(clientConfig, httpClient);
        this.eventsHttpClient = new ApacheDockerHttpClient.Builder()
                .dockerHost(clientConfig.getDockerHost())
                .maxConnections(4)
                .connectionTimeout(Duration.ofSeconds(5))
                .build();
        this.eventsDocker = DockerClientImpl.getInstance(clientConfig, eventsHttpClient);
        this.networks = new UserNetworks(docker, config);
    }

    @Override
    public String engine() {
        return "docker";
    }

    /**
     * Returns the engine's capabilities; GPUs count as supported when the engine has the {@code nvidia}
     * runtime, which {@code docker run --gpus} needs.
     */
    @Override
    public EngineCapabilities capabilities() {
        EngineCapabilities known = capabilities;
        if (known != null) {
            return known;
        }
        try {
            boolean gpus = Optional.ofNullable(docker.infoCmd().exec().getRuntimes())
                    .map(runtimes -> runtimes.containsKey("nvidia"))
                    .orElse(false);
            known = EngineCapabilities.container(gpus);
            capabilities = known;
            return known;
        } catch (RuntimeException unreachable) {
            logger.warn("failed to read the Docker engine's capabilities, assuming no GPUs error={}",
                    unreachable.getMessage());
            return EngineCapabilities.container(false);
        }
    }

    /**
     * Subscribes to the engine's container events of this hub (label {@code mlhub.origin}): start, die, stop,
     * kill, oom and destroy. A broken stream, such as after an engine restart, is reopened after 1 s, doubling
     * up to 30 s.
     */
    @Override
    public Optional<WorkspaceWatch> watch(WorkspaceWatch.Listener listener) {
        return Optional.of(ReconnectingWatch.start(engine(), new DockerEventSource(eventsDocker, config.hubName()),
                listener, WATCH_INITIAL_BACKOFF, WATCH_MAX_BACKOFF));
    }

    @Override
    public StartedWorkspace start(WorkspaceSpec spec, SpawnProgress progress) throws SpawnException {
        WorkspaceRef ref = spec.ref();
        requireThisHub(ref);
        String name = WorkspaceNames.container(ref);
        ContainerSettings settings = ContainerSettings.of(spec, config);
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            Optional<InspectContainerResponse> existing = inspect(ref);
            if (existing.isPresent()) {
                Optional<StartedWorkspace> resumed = resumeOrRemove(existing.get(), spec, settings, progress);
                if (resumed.isPresent()) {
                    return resumed.get();
                }
            }
            return create(spec, settings, progress);
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to start workspace " + name + ": "
                    + engineMessage(engineError), engineError);
        } finally {
            lock.unlock();
        }
    }

    /** Returns the running or resumed container, or empty after removing a container whose settings changed. */
    private Optional<StartedWorkspace> resumeOrRemove(InspectContainerResponse container, WorkspaceSpec spec,
            ContainerSettings settings, SpawnProgress progress) throws SpawnException {
        String name = WorkspaceNames.container(spec.ref());
        if (Boolean.TRUE.equals(container.getState().getRunning())) {
            progress.report(100, "workspace already running");
            return Optional.of(started(container, spec.ref()));
        }
        String digest = container.getConfig().getLabels().get(Labels.CONFIG_DIGEST);
        if (!settings.digest().equals(digest)) {
            progress.report(10, "removing the stopped container, whose settings changed");
            docker.removeContainerCmd(container.getId()).withForce(true).exec();
            logger.info("workspace container replaced engine=docker workspace={} reason=settings changed", name);
            return Optional.empty();
        }

        progress.report(20, "joining the user's network");
        networks.ensure(spec.ref().user());
        copyAuthorizedKeys(container.getId(), spec.sshPublicKeys());
        progress.report(60, "starting the stopped container");
        docker.startContainerCmd(container.getId()).exec();
        logger.info("workspace resumed engine=docker workspace={} container={}", name, shortId(container.getId()));
        return Optional.of(afterStart(container.getId(), spec.ref()));
    }

    private StartedWorkspace create(WorkspaceSpec spec, ContainerSettings settings, SpawnProgress progress)
            throws SpawnException {
        String name = WorkspaceNames.container(spec.ref());
        progress.report(5, "checking the image " + settings.image());
        requireImage(settings.image());

        progress.report(20, "preparing the user's network");
        String network = networks.ensure(spec.ref().user());
        if (spec.options().mountVolume()) {
            progress.report(30, "preparing the volume");
            ensureVolume(spec.ref());
        }

        progress.report(40, "creating the container");
        String id = docker.createContainerCmd(settings.image())
                .withName(name)
                .withHostName(name)
                .withLabels(settings.labels())
                .withEnv(settings.environment())
                .withHostConfig(settings.hostConfig(network))
                .exec()
                .getId();
        copyAuthorizedKeys(id, spec.sshPublicKeys());

        progress.report(60, "starting the container");
        try {
            docker.startContainerCmd(id).exec();
        } catch (RuntimeException startFailed) {
            // A container the engine cannot start (such as one asking for GPUs it lacks) would fail the same
            // way at every later start, so it goes now and the next start creates it afresh.
            docker.removeContainerCmd(id).withForce(true).exec();
            throw startFailed;
        }
        logger.info("workspace started engine=docker workspace={} container={} image={} network={}", name,
                shortId(id), settings.image(), network);
        return afterStart(id, spec.ref());
    }

    /** Reads back the started container; one that already exited fails the start with its exit code and logs. */
    private StartedWorkspace afterStart(String id, WorkspaceRef ref) throws SpawnException {
        InspectContainerResponse container = docker.inspectContainerCmd(id).exec();
        if (!Boolean.TRUE.equals(container.getState().getRunning())) {
            throw new SpawnException(WorkspaceReadiness.exitMessage(toStatus(container, ref)));
        }
        return started(container, ref);
    }

    private StartedWorkspace started(InspectContainerResponse container, WorkspaceRef ref) throws SpawnException {
        String address = address(container, ref.user());
        if (address == null) {
            throw new SpawnException("workspace container " + container.getName() + " has no address on network "
                    + WorkspaceNames.network(ref.hubName(), ref.user()));
        }
        return new StartedWorkspace(container.getId(), httpTarget(address), sshAddress(address));
    }

    private void requireImage(String image) throws SpawnException {
        try {
            docker.inspectImageCmd(image).exec();
        } catch (NotFoundException missing) {
            throw new SpawnException("workspace image '" + image + "' not found on the Docker engine; images are not "
                    + "pulled, so build or load it on this machine first");
        }
    }

    private void ensureVolume(WorkspaceRef ref) throws SpawnException {
        String volume = WorkspaceNames.volume(ref);
        try {
            Map<String, String> labels = docker.inspectVolumeCmd(volume).exec().getLabels();
            if (labels == null || !config.hubName().equals(labels.get(Labels.ORIGIN))) {
                throw new SpawnException("volume " + volume + " exists but was not created by hub "
                        + config.hubName());
            }
        } catch (NotFoundException missing) {
            docker.createVolumeCmd().withName(volume).withLabels(Map.of(Labels.ORIGIN, ref.hubName(),
                    Labels.USER, ref.user(), Labels.SERVER_NAME, ref.server())).exec();
            logger.info("workspace volume created engine=docker volume={}", volume);
        }
    }

    private void copyAuthorizedKeys(String containerId, List<String> sshPublicKeys) throws SpawnException {
        byte[] archive;
        try {
            archive = KeysArchive.of(AUTHORIZED_KEYS_PATH, AuthorizedKeys.render(sshPublicKeys));
        } catch (IOException impossible) {
            throw new SpawnException("failed to pack the SSH keys: " + impossible.getMessage(), impossible);
        }
        docker.copyArchiveToContainerCmd(containerId)
                .withRemotePath("/")
                .withTarInputStream(new java.io.ByteArrayInputStream(archive))
                .exec();
    }

    @Override
    public void updateSshKeys(WorkspaceRef ref, List<String> sshPublicKeys) throws SpawnException {
        requireThisHub(ref);
        String name = WorkspaceNames.container(ref);
        try {
            InspectContainerResponse container = inspect(ref)
                    .orElseThrow(() -> new SpawnException("workspace container " + name + " not found"));
            copyAuthorizedKeys(container.getId(), sshPublicKeys);
        } catch (RuntimeException engineError) {
            throw new SpawnException("failed to update the SSH keys of workspace " + name + ": "
                    + engineMessage(engineError), engineError);
        }
        logger.info("workspace ssh keys updated engine=docker workspace={} keys={}", name, sshPublicKeys.size());
    }

    @Override
    public void stop(WorkspaceRef ref) throws SpawnException {
        requireThisHub(ref);
        String name = WorkspaceNames.container(ref);
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            Optional<InspectContainerResponse> container = inspect(ref);
            if (container.isEmpty() || !Boolean.TRUE.equals(container.get().getState().getRunning())) {
                return;
            }
            docker.stopContainerCmd(container.get().getId())
                    .withTimeout((int) Math.max(0, config.stopTimeout().toSeconds()))
                    .exec();
            logger.info("workspace stopped engine=docker workspace={}", name);
        } catch (NotModifiedException | NotFoundException alreadyStopped) {
            logger.debug("workspace already stopped engine=docker workspace={}", name);
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to stop workspace " + name + ": "
                    + engineMessage(engineError), engineError);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void delete(WorkspaceRef ref, boolean removeVolume) throws SpawnException {
        requireThisHub(ref);
        String name = WorkspaceNames.container(ref);
        ReentrantLock lock = lock(name);
        lock.lock();
        try {
            Optional<InspectContainerResponse> container = inspect(ref);
            if (container.isPresent()) {
                docker.removeContainerCmd(container.get().getId()).withForce(true).exec();
                logger.info("workspace container removed engine=docker workspace={}", name);
            }
            if (removeVolume) {
                removeVolume(WorkspaceNames.volume(ref));
            }
            networks.removeIfUnused(ref.user());
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to delete workspace " + name + ": "
                    + engineMessage(engineError), engineError);
        } finally {
            lock.unlock();
        }
    }

    private void removeVolume(String volume) {
        try {
            docker.removeVolumeCmd(volume).exec();
            logger.info("workspace volume removed engine=docker volume={}", volume);
        } catch (NotFoundException alreadyGone) {
            logger.debug("workspace volume already gone engine=docker volume={}", volume);
        }
    }

    @Override
    public Optional<WorkspaceStatus> status(WorkspaceRef ref) throws SpawnException {
        requireThisHub(ref);
        try {
            Optional<InspectContainerResponse> container = inspect(ref);
            if (container.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(toStatus(container.get(), ref));
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to inspect workspace " + WorkspaceNames.container(ref)
                    + ": " + engineMessage(engineError), engineError);
        }
    }

    /**
     * Lists this hub's workspace containers by the label {@code mlhub.origin}. For speed with many containers,
     * the statuses carry no log lines; {@link #status} has them.
     */
    @Override
    public List<WorkspaceStatus> list() throws SpawnException {
        List<Container> containers;
        try {
            containers = docker.listContainersCmd()
                    .withShowAll(true)
                    .withLabelFilter(Map.of(Labels.ORIGIN, config.hubName()))
                    .exec();
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to list workspaces: " + engineMessage(engineError),
                    engineError);
        }

        List<WorkspaceStatus> statuses = new ArrayList<>();
        for (Container container : containers) {
            Map<String, String> labels = container.getLabels();
            if (labels == null || !labels.containsKey(Labels.USER) || !labels.containsKey(Labels.SERVER_NAME)) {
                if (unlabelledContainers.add(container.getId())) {
                    logger.warn("container with label {}={} lacks user labels, skipped container={}", Labels.ORIGIN,
                            config.hubName(), shortId(container.getId()));
                }
                continue;
            }
            statuses.add(toStatus(container, labels));
        }
        return statuses;
    }

    private WorkspaceStatus toStatus(Container container, Map<String, String> labels) {
        WorkspaceRef ref = new WorkspaceRef(config.hubName(), labels.get(Labels.USER), labels.get(Labels.SERVER_NAME));
        boolean running = "running".equals(container.getState());
        String address = null;
        if (running && container.getNetworkSettings() != null) {
            ContainerNetwork network = container.getNetworkSettings().getNetworks()
                    .get(WorkspaceNames.network(ref.hubName(), ref.user()));
            address = network == null || network.getIpAddress() == null || network.getIpAddress().isEmpty()
                    ? null : network.getIpAddress();
        }
        Integer exitCode = null;
        Matcher exited = EXITED_STATUS.matcher(String.valueOf(container.getStatus()));
        if (!running && exited.matches()) {
            exitCode = Integer.valueOf(exited.group(1));
        }
        return new WorkspaceStatus(ref, container.getId(), running, exitCode,
                address == null ? null : httpTarget(address),
                address == null ? null : sshAddress(address),
                expiresAt(labels), List.of());
    }

    private WorkspaceStatus toStatus(InspectContainerResponse container, WorkspaceRef ref) {
        boolean running = Boolean.TRUE.equals(container.getState().getRunning());
        String address = running ? address(container, ref.user()) : null;
        Integer exitCode = null;
        if (!running && container.getState().getExitCodeLong() != null) {
            exitCode = container.getState().getExitCodeLong().intValue();
        }
        return new WorkspaceStatus(ref, container.getId(), running, exitCode,
                address == null ? null : httpTarget(address),
                address == null ? null : sshAddress(address),
                expiresAt(container.getConfig().getLabels()),
                ContainerLogs.lastLines(docker, container.getId(), config.logLines()));
    }

    /**
     * Inspects the workspace's container by name; a container of that name that does not carry this
     * workspace's labels is an error, never adopted.
     */
    private Optional<InspectContainerResponse> inspect(WorkspaceRef ref) throws SpawnException {
        String name = WorkspaceNames.container(ref);
        InspectContainerResponse container;
        try {
            container = docker.inspectContainerCmd(name).exec();
        } catch (NotFoundException missing) {
            return Optional.empty();
        }
        Map<String, String> labels = container.getConfig().getLabels();
        if (labels == null
                || !ref.hubName().equals(labels.get(Labels.ORIGIN))
                || !ref.user().equals(labels.get(Labels.USER))
                || !ref.server().equals(labels.get(Labels.SERVER_NAME))) {
            throw new SpawnException("container name " + name + " is taken by a container that is not this "
                    + "workspace's; remove or rename it");
        }
        return Optional.of(container);
    }

    private static @Nullable String address(InspectContainerResponse container, String user) {
        if (container.getNetworkSettings() == null || container.getNetworkSettings().getNetworks() == null) {
            return null;
        }
        String hubName = container.getConfig().getLabels().get(Labels.ORIGIN);
        ContainerNetwork network = container.getNetworkSettings().getNetworks()
                .get(WorkspaceNames.network(hubName, user));
        if (network == null || network.getIpAddress() == null || network.getIpAddress().isEmpty()) {
            return null;
        }
        return network.getIpAddress();
    }

    private URI httpTarget(String address) {
        return URI.create("http://" + address + ":" + config.workspacePort());
    }

    private @Nullable InetSocketAddress sshAddress(String address) {
        Integer port = config.sshPort();
        return port == null ? null : new InetSocketAddress(address, port);
    }

    private static @Nullable Instant expiresAt(@Nullable Map<String, String> labels) {
        String value = labels == null ? null : labels.get(Labels.EXPIRES_AT);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException invalid) {
            logger.warn("invalid label {}={} ignored", Labels.EXPIRES_AT, value);
            return null;
        }
    }

    private void requireThisHub(WorkspaceRef ref) {
        if (!config.hubName().equals(ref.hubName())) {
            throw new IllegalArgumentException("workspace of hub " + ref.hubName() + " passed to the spawner of hub "
                    + config.hubName());
        }
    }

    /**
     * Returns the engine's message without docker-java's "Status 404:" prefix and JSON wrapping. Besides the
     * engine's {@code DockerException}s this also gets transport failures, such as a missing socket.
     */
    static String engineMessage(RuntimeException error) {
        if (error.getMessage() == null) {
            return error.getCause() != null ? error.getCause().toString() : error.toString();
        }
        String message = error.getMessage().strip();
        Matcher json = Pattern.compile(".*\"message\"\\s*:\\s*\"(.*)\".*", Pattern.DOTALL).matcher(message);
        return json.matches() ? json.group(1) : message;
    }

    private static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    private ReentrantLock lock(String name) {
        return locks.computeIfAbsent(name, key -> new ReentrantLock());
    }

    @Override
    public Set<String> usersWithResources() throws SpawnException {
        Set<String> users = new TreeSet<>();
        List<String> origin = List.of(Labels.ORIGIN + "=" + config.hubName());
        try {
            docker.listContainersCmd().withShowAll(true).withLabelFilter(Map.of(Labels.ORIGIN, config.hubName()))
                    .exec().forEach(container -> addUser(users, container.getLabels()));
            docker.listNetworksCmd().withFilter("label", origin).exec()
                    .forEach(network -> addUser(users, network.getLabels()));
            var volumes = docker.listVolumesCmd().withFilter("label", origin).exec().getVolumes();
            if (volumes != null) {
                volumes.forEach(volume -> addUser(users, volume.getLabels()));
            }
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to list this hub's resources: "
                    + engineMessage(engineError), engineError);
        }
        return users;
    }

    private static void addUser(Set<String> users, @Nullable Map<String, String> labels) {
        if (labels != null && labels.get(Labels.USER) != null) {
            users.add(labels.get(Labels.USER));
        }
    }

    @Override
    public void removeUserResources(String user) throws SpawnException {
        Map<String, String> labels = Map.of(Labels.ORIGIN, config.hubName(), Labels.USER, user);
        try {
            for (Container container : docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec()) {
                docker.removeContainerCmd(container.getId()).withForce(true).exec();
            }
            var volumes = docker.listVolumesCmd()
                    .withFilter("label", List.of(Labels.ORIGIN + "=" + config.hubName(), Labels.USER + "=" + user))
                    .exec().getVolumes();
            for (var volume : volumes == null ? List.<com.github.dockerjava.api.command.InspectVolumeResponse>of()
                    : volumes) {
                removeVolume(volume.getName());
            }
            networks.removeIfUnused(user);
        } catch (RuntimeException engineError) {
            throw new SpawnException("Docker engine failed to remove the resources of user " + user + ": "
                    + engineMessage(engineError), engineError);
        }
        logger.info("user resources removed engine=docker user={}", user);
    }

    /** Returns the settings, with the hub's container when the hub runs in one. */
    public DockerSpawnerConfig config() {
        return config;
    }

    /** Returns the Docker client, for the lifecycle services and tests that inspect what the spawner made. */
    public DockerClient client() {
        return docker;
    }

    @Override
    public void close() throws IOException {
        eventsHttpClient.close();
        httpClient.close();
    }
}
