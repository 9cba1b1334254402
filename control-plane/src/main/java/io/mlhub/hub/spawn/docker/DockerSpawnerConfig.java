package io.mlhub.hub.spawn.docker;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the {@link DockerSpawner}.
 *
 * @param hubName the hub's name ({@code HUB_NAME}), written to the label {@code mlhub.origin} of everything
 *     the spawner creates and used to find it again
 * @param dockerHost the engine's API address, such as {@code unix:///var/run/docker.sock}
 * @param workspacePort the port the workspace image's web server listens on inside the container
 * @param sshPort the port of the image's sshd inside the container, or {@code null} when images run none
 * @param stopTimeout how long a stop waits after SIGTERM before the engine sends SIGKILL
 * @param logLines how many of the last log lines a status carries
 * @param hubContainer the hub's own container (name or id) when the hub runs in Docker; it joins each
 *     user's network so it can reach the workspaces, or {@code null} when the hub runs on the host
 */
public record DockerSpawnerConfig(
        String hubName,
        URI dockerHost,
        int workspacePort,
        @Nullable Integer sshPort,
        Duration stopTimeout,
        int logLines,
        @Nullable String hubContainer) {
    public DockerSpawnerConfig {
        requireNonNull(hubName, "hubName");
        if (hubName.isBlank()) {
            throw new IllegalArgumentException("hubName: blank (expected: a name such as mlhub)");
        }
        requireNonNull(dockerHost, "dockerHost");
        if (workspacePort < 1 || workspacePort > 65535) {
            throw new IllegalArgumentException("workspacePort: " + workspacePort + " (expected: 1 to 65535)");
        }
        if (sshPort != null && (sshPort < 1 || sshPort > 65535)) {
            throw new IllegalArgumentException("sshPort: " + sshPort + " (expected: 1 to 65535)");
        }
        requireNonNull(stopTimeout, "stopTimeout");
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("stopTimeout: " + stopTimeout + " (expected: >= 0)");
        }
        if (logLines < 1) {
            throw new IllegalArgumentException("logLines: " + logLines + " (expected: >= 1)");
        }
    }

    /**
     * Returns the defaults: the local engine's socket, workspaces serving on 8888 with sshd on 22, a 10 s
     * stop timeout, 30 log lines, the hub on the host.
     */
    public static DockerSpawnerConfig defaults(String hubName) {
        return new DockerSpawnerConfig(hubName, URI.create("unix:///var/run/docker.sock"), 8888, 22,
                Duration.ofSeconds(10), 30, null);
    }

    /** Returns a copy with another stop timeout. */
    public DockerSpawnerConfig withStopTimeout(Duration stopTimeout) {
        return new DockerSpawnerConfig(hubName, dockerHost, workspacePort, sshPort, stopTimeout, logLines,
                hubContainer);
    }

    /** Returns a copy with another hub container (name or id). */
    public DockerSpawnerConfig withHubContainer(@Nullable String hubContainer) {
        return new DockerSpawnerConfig(hubName, dockerHost, workspacePort, sshPort, stopTimeout, logLines,
                hubContainer);
    }
}
