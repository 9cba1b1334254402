package io.mlhub.hub.auth;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the hub's session cookie and API tokens to identities for the proxy's edge check, and notifies listeners
 * when cached results may be stale (logout, revocation, user deletion, loss of admin rights). The appliance adapts
 * it to the proxy's resolver interface; calls hit the database, so callers cache and never call from an event loop.
 */
public final class HubCredentials {
    private final CredentialService credentials;

    public HubCredentials(CredentialService credentials) {
        this.credentials = requireNonNull(credentials, "credentials");
    }

    /** Resolves the value of the session cookie, or returns {@code null} when it is unknown or expired. */
    public @Nullable HubIdentity resolveSession(String sessionCookie) {
        return toIdentity(credentials.resolveSession(sessionCookie));
    }

    /** Resolves an API or OAuth token, or returns {@code null} when it is unknown, revoked or expired. */
    public @Nullable HubIdentity resolveToken(String token) {
        return toIdentity(credentials.resolveToken(token));
    }

    /** Registers a listener that learns which user's cached identities to drop. */
    public void addListener(CredentialListener listener) {
        credentials.addListener(listener);
    }

    private static @Nullable HubIdentity toIdentity(Optional<Caller> caller) {
        if (caller.isEmpty()) {
            return null;
        }
        Scopes scopes = caller.get().scopes();
        String self = caller.get().name();
        Set<String> granted = scopes.filteredTargets("access:servers").stream()
                .filter(target -> !target.startsWith(self + "/"))
                .collect(Collectors.toSet());
        return new HubIdentity(self, scopes.holdsUnfiltered("access:servers"), granted);
    }
}
