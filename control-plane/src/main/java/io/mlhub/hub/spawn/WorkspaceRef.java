package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

/**
 * Names one workspace: the hub that owns it, the user and the server name ({@code ""} for the default
 * server). Names are already validated and normalised by the control plane.
 */
public record WorkspaceRef(String hubName, String user, String server) {
    public WorkspaceRef {
        requireNonNull(hubName, "hubName");
        requireNonNull(user, "user");
        requireNonNull(server, "server");
    }
}
