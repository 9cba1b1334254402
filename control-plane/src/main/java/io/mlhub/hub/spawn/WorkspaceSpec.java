package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything a spawner needs to start one workspace.
 *
 * @param ref which workspace
 * @param options validated options the user chose (image, limits, volume, ...)
 * @param environment variables the control plane sets, such as the {@code JUPYTERHUB_*} set with the
 *     server's API token; they may hold secrets, so spawners never copy them into labels or logs
 * @param baseUrl the path prefix the workspace serves under, such as {@code /user/alice/lab/}
 * @param sshPublicKeys the user's registered OpenSSH public keys, one per entry
 * @param expiresAt when the workspace expires, or {@code null} if it never does
 */
public record WorkspaceSpec(
        WorkspaceRef ref,
        WorkspaceOptions options,
        Map<String, String> environment,
        String baseUrl,
        List<String> sshPublicKeys,
        @Nullable Instant expiresAt) {
    public WorkspaceSpec {
        requireNonNull(ref, "ref");
        requireNonNull(options, "options");
        environment = Map.copyOf(requireNonNull(environment, "environment"));
        requireNonNull(baseUrl, "baseUrl");
        sshPublicKeys = List.copyOf(requireNonNull(sshPublicKeys, "sshPublicKeys"));
    }
}
