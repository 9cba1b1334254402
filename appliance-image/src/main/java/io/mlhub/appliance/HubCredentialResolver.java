package io.mlhub.appliance;

import io.mlhub.hub.auth.HubCredentials;
import io.mlhub.hub.auth.HubIdentity;
import io.mlhub.proxy.auth.CredentialResolver;
import io.mlhub.proxy.auth.Identity;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the proxy's session cookies and tokens with the control plane of the same process. Until the control
 * plane has started, every credential is unknown, so workspace routes respond as if the client had none.
 */
final class HubCredentialResolver implements CredentialResolver {
    private volatile @Nullable HubCredentials hub;

    /** Connects the resolver to the control plane once it has started. */
    void connect(HubCredentials credentials) {
        this.hub = credentials;
    }

    @Override
    public @Nullable Identity resolveSession(String sessionCookie) {
        HubCredentials current = hub;
        return current == null ? null : toIdentity(current.resolveSession(sessionCookie));
    }

    @Override
    public @Nullable Identity resolveToken(String token) {
        HubCredentials current = hub;
        return current == null ? null : toIdentity(current.resolveToken(token));
    }

    private static @Nullable Identity toIdentity(@Nullable HubIdentity identity) {
        if (identity == null) {
            return null;
        }
        return new Identity(identity.user(), identity.admin(), identity.grantedServers());
    }
}
