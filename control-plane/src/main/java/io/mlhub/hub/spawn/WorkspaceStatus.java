package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A workspace as the engine reports it.
 *
 * @param ref which workspace, read back from the engine's labels
 * @param engineId the engine's id for it
 * @param running whether its process runs now
 * @param exitCode the exit code once it stopped, or {@code null}
 * @param httpTarget where its web server listens while it runs, or {@code null}
 * @param sshAddress where its sshd listens while it runs, or {@code null}
 * @param expiresAt the expiry recorded on the engine, or {@code null}
 * @param lastLogLines the last lines the workspace wrote, for error messages when it dies
 */
public record WorkspaceStatus(
        WorkspaceRef ref,
        String engineId,
        boolean running,
        @Nullable Integer exitCode,
        @Nullable URI httpTarget,
        @Nullable InetSocketAddress sshAddress,
        @Nullable Instant expiresAt,
        List<String> lastLogLines) {
    public WorkspaceStatus {
        requireNonNull(ref, "ref");
        requireNonNull(engineId, "engineId");
        lastLogLines = List.copyOf(requireNonNull(lastLogLines, "lastLogLines"));
    }
}
