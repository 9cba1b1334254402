package io.mlhub.proxy.auth;

import org.jspecify.annotations.Nullable;

/**
 * Turns the credentials a client presents into a hub identity. The control plane implements it; the
 * proxy wraps it in a cache, so implementations may block (they are never called on an event loop).
 */
public interface CredentialResolver {

    /** Resolves the value of the hub's session cookie, or returns {@code null} when it is unknown or expired. */
    @Nullable Identity resolveSession(String sessionCookie);

    /** Resolves an API token, or returns {@code null} when it is unknown, revoked or expired. */
    @Nullable Identity resolveToken(String token);
}
