package io.mlhub.hub;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.auth.SshPublicKey;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The hub's public SSH service as users reach it, for the SSH page and the {@code ssh-access} endpoint.
 *
 * @param host the public host name users connect to
 * @param port the public port, which the hub shares with HTTPS
 * @param hostKeys the service's host public keys as OpenSSH lines ({@code ssh-ed25519 AAAA...})
 * @param workspaceUser the login name inside workspaces written into SSH config blocks, or {@code null} to leave
 *     it to the user's SSH client
 */
public record SshInfo(String host, int port, List<SshPublicKey> hostKeys, @Nullable String workspaceUser) {
    public SshInfo {
        requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: blank (expected: the hub's public host name)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
        }
        hostKeys = List.copyOf(requireNonNull(hostKeys, "hostKeys"));
    }

    /**
     * Returns the settings for host public keys given as OpenSSH lines.
     *
     * @throws IllegalArgumentException when a line is not an OpenSSH public key
     */
    public static SshInfo of(String host, int port, List<String> hostKeyLines, @Nullable String workspaceUser) {
        return new SshInfo(host, port, hostKeyLines.stream().map(SshPublicKey::parse).toList(), workspaceUser);
    }
}
