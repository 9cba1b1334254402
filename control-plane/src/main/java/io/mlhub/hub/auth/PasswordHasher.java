package io.mlhub.hub.auth;

import org.jspecify.annotations.Nullable;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Hashes and checks passwords with Argon2id (Spring Security's defaults: 16 MiB memory, 2 iterations). The
 * encoded hash carries its own parameters, so stronger settings later still verify old hashes.
 */
public final class PasswordHasher {
    private final Argon2PasswordEncoder encoder = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    /** Made on first use rather than at start, where one Argon2 hash costs a noticeable part of start-up. */
    private volatile @Nullable String decoyHash;

    public String hash(String password) {
        return encoder.encode(password);
    }

    /** Checks {@code password} against {@code hash}; a {@code null} hash checks a decoy so timing stays the same. */
    public boolean matches(String password, String hash) {
        if (hash == null) {
            encoder.matches(password, decoyHash());
            return false;
        }
        return encoder.matches(password, hash);
    }

    private String decoyHash() {
        String decoy = decoyHash;
        if (decoy == null) {
            decoy = encoder.encode(Secrets.newToken());
            decoyHash = decoy;
        }
        return decoy;
    }
}
