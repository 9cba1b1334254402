package io.mlhub.sshmux;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A running workspace a hub user may reach by SSH, as listed in the help text and the access information.
 *
 * @param target the workspace's SSH name
 * @param loginUser the account to log in as on the workspace's sshd, for example {@code root}
 * @param hostKeys the workspace sshd's public host keys in OpenSSH format ({@code ssh-ed25519 AAAA...}), used to
 *     pin them in {@code known_hosts}; empty when the control plane does not know them
 */
public record SshWorkspace(SshTarget target, String loginUser, List<String> hostKeys) {

    public SshWorkspace {
        requireNonNull(target, "target");
        requireNonNull(loginUser, "loginUser");
        if (loginUser.isBlank() || loginUser.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("loginUser: '" + loginUser + "' (expected: a user name without spaces)");
        }
        hostKeys = List.copyOf(requireNonNull(hostKeys, "hostKeys"));
        for (String key : hostKeys) {
            // Each key becomes one known_hosts line and part of a shell command, so it must stay on one line.
            if (key.isBlank() || key.lines().count() != 1 || !key.equals(key.strip())) {
                throw new IllegalArgumentException("hostKeys: '" + key + "' (expected: one line, <type> <base64>)");
            }
        }
    }
}
