package io.mlhub.proxy.auth;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * The hub user behind a session cookie or API token, as the edge check needs it.
 *
 * @param user hub user name
 * @param admin whether the user may reach every workspace
 * @param grantedServers workspaces of other users this identity may reach, as {@code "user/server"}
 *     ({@code "user/"} for a default server, {@code "user/*"} for all servers of that user)
 */
public record Identity(String user, boolean admin, Set<String> grantedServers) {
    public Identity {
        requireNonNull(user, "user");
        grantedServers = Set.copyOf(requireNonNull(grantedServers, "grantedServers"));
    }
}
