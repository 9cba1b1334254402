package io.mlhub.hub.spawn;

import java.util.List;
import java.util.regex.Pattern;

/** Renders the user's SSH public keys as an OpenSSH {@code authorized_keys} file for a workspace's sshd. */
public final class AuthorizedKeys {
    /**
     * A public key line without options: key type, base64 blob and an optional comment. Options such as
     * {@code command=} are not accepted, so a stored key cannot change what sshd does with a login.
     */
    private static final Pattern PUBLIC_KEY = Pattern.compile(
            "(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\\.com"
                    + "|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/]+={0,3}( [^\\r\\n\\x00]*)?");

    private AuthorizedKeys() {}

    /**
     * Returns the file content: a header line, then one key per line.
     *
     * @throws SpawnException when a key is not a single OpenSSH public key line
     */
    public static String render(List<String> publicKeys) throws SpawnException {
        StringBuilder file = new StringBuilder("# SSH keys of the workspace's user, written by ML Hub\n");
        for (int i = 0; i < publicKeys.size(); i++) {
            String key = publicKeys.get(i).strip();
            if (!PUBLIC_KEY.matcher(key).matches()) {
                throw new SpawnException("SSH public key " + (i + 1) + " is invalid (expected: one OpenSSH public "
                        + "key line such as 'ssh-ed25519 AAAA... comment', without options)");
            }
            file.append(key).append('\n');
        }
        return file.toString();
    }
}
