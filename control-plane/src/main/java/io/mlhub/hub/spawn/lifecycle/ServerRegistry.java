package io.mlhub.hub.spawn.lifecycle;

import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The operations on the hub's store of users and servers that the cleanup service, the idle culler and the
 * reconciler use. The control plane implements it on its database and keeps the routes in step with each call.
 */
public interface ServerRegistry {

    /** Returns the names of all users that exist. */
    Set<String> userNames();

    /** Returns every server of this hub in the store. */
    List<RegisteredServer> servers();

    /** Records that the server runs as {@code status} reports, and publishes its route. */
    void markRunning(WorkspaceStatus status);

    /** Records that the server stopped, with its exit code when known, and removes its route. */
    void markStopped(WorkspaceRef ref, @Nullable Integer exitCode);

    /** Forgets a server whose workspace the cleanup service deleted, such as an expired one. */
    void markDeleted(WorkspaceRef ref);

    /**
     * A server as the store records it.
     *
     * @param ref which server
     * @param running whether the store records it as running (or starting)
     */
    record RegisteredServer(WorkspaceRef ref, boolean running) {}
}
