package io.mlhub.hub.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One row of {@code servers}; the default server has the empty name.
 *
 * @param userOptions the {@code user_options} JSON object the server was last started with
 * @param engineId the engine's id for the workspace, once started
 * @param target the URL the proxy sends traffic to, while running
 * @param sshAddress where the workspace's sshd listens ({@code host:port}) while running, or {@code null}
 */
public record ServerRecord(
        long id,
        long userId,
        String name,
        ServerState state,
        String userOptions,
        @Nullable String engineId,
        @Nullable String target,
        @Nullable Instant expiresAt,
        @Nullable Instant started,
        @Nullable Instant lastActivity,
        Instant created,
        @Nullable String sshAddress) {}
