package io.mlhub.proxy.auth;

import org.jspecify.annotations.Nullable;

/** Decides whether an identity may reach a user's workspace: the owner, an admin, or a user granted access. */
public final class AccessPolicy {
    private AccessPolicy() {}

    /**
     * Returns whether {@code identity} may reach server {@code server} ({@code ""} or {@code null} for the default
     * server) of {@code owner}.
     */
    public static boolean allows(Identity identity, String owner, @Nullable String server) {
        if (identity.admin() || identity.user().equals(owner)) {
            return true;
        }

        var granted = identity.grantedServers();
        if (granted.isEmpty()) {
            return false;
        }
        String serverName = server == null ? "" : server;
        return granted.contains(owner + "/" + serverName) || granted.contains(owner + "/*");
    }
}
