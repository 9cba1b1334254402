package io.mlhub.hub.store;

import java.time.Instant;

/**
 * One row of {@code ssh_keys}.
 *
 * @param keyType the OpenSSH key type, such as {@code ssh-ed25519}
 * @param publicKey the key in OpenSSH's one-line format, without the comment
 * @param fingerprint {@code SHA256:} followed by the unpadded base64 digest, as {@code ssh-keygen -l} shows it
 */
public record SshKeyRecord(
        long id, long userId, String keyType, String publicKey, String comment, String fingerprint, Instant created) {}
