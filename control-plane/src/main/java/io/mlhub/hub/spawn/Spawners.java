package io.mlhub.hub.spawn;

import io.mlhub.hub.config.ConfigException;
import io.mlhub.hub.config.ConfigLoader;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.YamlReader;
import io.mlhub.hub.spawn.docker.DockerSpawner;
import io.mlhub.hub.spawn.docker.DockerSpawnerConfig;
import io.mlhub.hub.spawn.docker.HubContainerDetector;
import io.mlhub.hub.spawn.process.ProcessSpawner;
import io.mlhub.hub.spawn.process.ProcessSpawnerConfig;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and builds the spawner for {@code EXECUTION_MODE}: {@code local} is Docker, {@code process} runs child
 * processes, {@code k8s} is not supported yet, and when the mode is not set Docker is used if its engine answers a
 * ping within {@link #PING_TIMEOUT}, otherwise child processes.
 *
 * <p>The YAML section {@code spawner:} overrides the spawner settings:
 *
 * <pre>{@code
 * spawner:
 *   docker:
 *     host: unix:///var/run/docker.sock   # the engine's API address
 *     workspacePort: 8888                 # the image's web port inside the container
 *     sshPort: 22                         # the image's sshd port, 0 when images run none
 *     stopTimeoutSeconds: 10
 *     logLines: 30
 *     hubContainer: mlhub                 # the hub's own container when it runs in Docker
 *   process:
 *     command: [jupyterhub-singleuser, --ip=127.0.0.1, "--port={port}"]
 *     sshd: true                          # an OpenSSH sshd per workspace
 *     sshdBinary: /usr/sbin/sshd
 *     sshKeygenBinary: /usr/bin/ssh-keygen
 *     stopTimeoutSeconds: 10
 *     logLines: 30
 * }</pre>
 */
public final class Spawners {
    /** How long the automatic choice waits for the Docker engine's answer. */
    public static final Duration PING_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger logger = LoggerFactory.getLogger(Spawners.class);
    private static final Set<String> SECTION_KEYS = Set.of("docker", "process");
    private static final Set<String> DOCKER_KEYS =
            Set.of("host", "workspacePort", "sshPort", "stopTimeoutSeconds", "logLines", "hubContainer");
    private static final Set<String> PROCESS_KEYS =
            Set.of("command", "sshd", "sshdBinary", "sshKeygenBinary", "stopTimeoutSeconds", "logLines");

    private Spawners() {}

    /**
     * Builds the spawner for {@code config}, with the overrides of the {@code spawner:} section of
     * {@code yamlFile} (none when {@code null}).
     *
     * @throws ConfigException for {@code k8s} and for a bad setting in the section
     */
    public static Spawner create(HubConfig config, @Nullable Path yamlFile) {
        return create(config, ConfigLoader.section(yamlFile, "spawner"));
    }

    /** Builds the spawner for {@code config} with the given {@code spawner:} section. */
    public static Spawner create(HubConfig config, Map<String, Object> spawnerSection) {
        YamlReader section = new YamlReader("spawner", spawnerSection);
        section.rejectUnknownKeys(SECTION_KEYS);
        DockerSpawnerConfig docker = dockerConfig(config, section.mapping("docker"));
        ProcessSpawnerConfig process = processConfig(config, section.mapping("process"));
        return switch (config.executionMode()) {
            case LOCAL -> {
                logger.info("spawner chosen engine=docker reason=EXECUTION_MODE=local host={}", docker.dockerHost());
                yield dockerSpawner(docker);
            }
            case PROCESS -> {
                logger.info("spawner chosen engine=process reason=EXECUTION_MODE=process command={}",
                        process.command().getFirst());
                yield new ProcessSpawner(process);
            }
            case K8S -> throw new ConfigException("invalid setting EXECUTION_MODE=k8s (Kubernetes is not supported "
                    + "yet; expected: local, process, or unset to choose automatically)");
            case AUTO -> automatic(docker, process);
        };
    }

    /** Returns the Docker settings for {@code config} with the overrides of {@code yaml}. */
    public static DockerSpawnerConfig dockerConfig(HubConfig config, Map<String, Object> yaml) {
        YamlReader reader = new YamlReader("spawner.docker", yaml);
        reader.rejectUnknownKeys(DOCKER_KEYS);
        DockerSpawnerConfig defaults = DockerSpawnerConfig.defaults(config.hubName());
        String host = reader.text("host", defaults.dockerHost().toString());
        if (!host.startsWith("unix://") && !host.startsWith("tcp://")) {
            throw ConfigException.invalid("spawner.docker.host", host, "unix:///path/to/docker.sock or tcp://host:port");
        }
        int sshPort = reader.integer("sshPort", defaults.sshPort() == null ? 0 : defaults.sshPort());
        return checked(() -> new DockerSpawnerConfig(
                config.hubName(),
                URI.create(host),
                reader.integer("workspacePort", defaults.workspacePort()),
                sshPort == 0 ? null : sshPort,
                seconds(reader, "spawner.docker", defaults.stopTimeout()),
                reader.integer("logLines", defaults.logLines()),
                reader.optionalText("hubContainer")), "spawner.docker");
    }

    /** Returns the process settings for {@code config} with the overrides of {@code yaml}. */
    public static ProcessSpawnerConfig processConfig(HubConfig config, Map<String, Object> yaml) {
        YamlReader reader = new YamlReader("spawner.process", yaml);
        reader.rejectUnknownKeys(PROCESS_KEYS);
        ProcessSpawnerConfig defaults = ProcessSpawnerConfig.defaults(config.dataDir());
        List<String> command = reader.textList("command", defaults.command());
        if (command.isEmpty() || command.getFirst().isBlank()) {
            throw ConfigException.invalid("spawner.process.command", command, "a program and its arguments");
        }
        return checked(() -> new ProcessSpawnerConfig(
                config.dataDir(),
                command,
                seconds(reader, "spawner.process", defaults.stopTimeout()),
                reader.bool("sshd", defaults.sshd()),
                Path.of(reader.text("sshdBinary", defaults.sshdBinary().toString())),
                Path.of(reader.text("sshKeygenBinary", defaults.sshKeygenBinary().toString())),
                reader.integer("logLines", defaults.logLines())), "spawner.process");
    }

    private static Spawner automatic(DockerSpawnerConfig docker, ProcessSpawnerConfig process) {
        String problem = pingProblem(docker.dockerHost());
        if (problem == null) {
            logger.info("spawner chosen engine=docker reason=\"EXECUTION_MODE unset and the Docker engine answered\" "
                    + "host={}", docker.dockerHost());
            return dockerSpawner(docker);
        }
        logger.info("spawner chosen engine=process reason=\"EXECUTION_MODE unset and no Docker engine: {}\" "
                + "command={}", problem, process.command().getFirst());
        return new ProcessSpawner(process);
    }

    /**
     * Builds the Docker spawner. Without {@code spawner.docker.hubContainer}, a hub that runs in a container finds
     * that container itself, and rejoins the user networks it created before a restart.
     */
    private static DockerSpawner dockerSpawner(DockerSpawnerConfig docker) {
        DockerSpawnerConfig config = docker;
        if (config.hubContainer() == null) {
            config = config.withHubContainer(HubContainerDetector.detect(config.dockerHost())
                    .map(HubContainerDetector.HubContainer::name)
                    .orElse(null));
        } else {
            logger.info("hub container configured engine=docker container={}", config.hubContainer());
        }
        DockerSpawner spawner = new DockerSpawner(config);
        if (config.hubContainer() != null) {
            try {
                HubContainerDetector.joinUserNetworks(spawner.client(), config.hubName(), config.hubContainer());
            } catch (RuntimeException e) {
                logger.warn("joining the existing user networks failed engine=docker hub={} error={}",
                        config.hubContainer(), e.toString());
            }
        }
        return spawner;
    }

    /**
     * Sends {@code GET /_ping} to a {@code unix://} engine address and returns why the engine is unusable, or
     * {@code null} when it answered 200. A {@code tcp://} address the operator configured counts as answering.
     */
    static @Nullable String pingProblem(URI dockerHost) {
        if (!"unix".equals(dockerHost.getScheme())) {
            return null;
        }
        Path socket = Path.of(dockerHost.getPath());
        if (!Files.exists(socket)) {
            return socket + " does not exist";
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> status = executor.submit(() -> pingStatusLine(socket));
            try {
                String line = status.get(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return line.startsWith("HTTP/1.1 200") || line.startsWith("HTTP/1.0 200") ? null
                        : socket + " answered " + line;
            } catch (TimeoutException e) {
                status.cancel(true);
                return socket + " did not answer within " + PING_TIMEOUT.toSeconds() + " s";
            } catch (ExecutionException e) {
                return socket + ": " + e.getCause().getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    private static String pingStatusLine(Path socket) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
                if (text.contains("\r\n")) {
                    return text.substring(0, text.indexOf("\r\n"));
                }
            }
            return "no status line";
        }
    }

    private static Duration seconds(YamlReader reader, String section, Duration defaultValue) {
        int seconds = reader.integer("stopTimeoutSeconds", (int) defaultValue.toSeconds());
        if (seconds < 0) {
            throw ConfigException.invalid(section + ".stopTimeoutSeconds", seconds, ">= 0");
        }
        return Duration.ofSeconds(seconds);
    }

    /** Turns a settings record's own check into a configuration error naming the section. */
    private static <T> T checked(java.util.function.Supplier<T> build, String section) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid setting " + section + "." + e.getMessage());
        }
    }
}
