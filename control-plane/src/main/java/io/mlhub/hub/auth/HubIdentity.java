package io.mlhub.hub.auth;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * The hub user behind a session cookie or API token, in the shape the proxy's edge check needs.
 *
 * @param user hub user name
 * @param admin whether the credential reaches every workspace (unfiltered {@code access:servers})
 * @param grantedServers workspaces of other users the credential reaches, as {@code "user/server"}
 *     ({@code "user/"} for a default server, {@code "user/*"} for all of that user's servers)
 */
public record HubIdentity(String user, boolean admin, Set<String> grantedServers) {
    public HubIdentity {
        requireNonNull(user, "user");
        grantedServers = Set.copyOf(requireNonNull(grantedServers, "grantedServers"));
    }
}
