package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A workspace whose process runs.
 *
 * @param engineId the engine's id for it (container id, process id)
 * @param httpTarget where the hub's proxy sends the workspace's web traffic
 * @param sshAddress where the workspace's sshd listens, or {@code null} when it runs none
 */
public record StartedWorkspace(String engineId, URI httpTarget, @Nullable InetSocketAddress sshAddress) {
    public StartedWorkspace {
        requireNonNull(engineId, "engineId");
        requireNonNull(httpTarget, "httpTarget");
    }
}
