package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * The SSH access information of one workspace for one hub user. None of it is secret: the user's own private key
 * is referenced by path at most.
 *
 * @param target the workspace's SSH name, also the {@code Host} alias in {@link #configBlock}
 * @param jumpCommand a command that works without any SSH config, {@code ssh -J alice@hub:8080 root@lab.alice}
 * @param configBlock {@code ~/.ssh/config} entries for the hub and the workspace, after which {@code ssh <target>}
 *     works
 * @param knownHostsLines the lines of the {@code UserKnownHostsFile} that {@link #configBlock} names: the hub's
 *     host keys under its {@code HostKeyAlias}, and the workspace's when the control plane provides them
 * @param setupCommand a one-line shell command that adds {@link #knownHostsLines} and the missing parts of
 *     {@link #configBlock} to the user's {@code ~/.ssh}
 */
public record WorkspaceAccess(
        String target, String jumpCommand, String configBlock, List<String> knownHostsLines, String setupCommand) {

    public WorkspaceAccess {
        requireNonNull(target, "target");
        requireNonNull(jumpCommand, "jumpCommand");
        requireNonNull(configBlock, "configBlock");
        knownHostsLines = List.copyOf(requireNonNull(knownHostsLines, "knownHostsLines"));
        requireNonNull(setupCommand, "setupCommand");
    }
}
