package io.mlhub.hub.spawn;

import java.util.List;
import java.util.Optional;

/**
 * Starts, stops and watches workspaces on one execution engine (Docker, local processes, later
 * Kubernetes). Every operation is idempotent, so a reconcile can repeat any step after a crash.
 * Implementations block and are called from virtual threads, never from an event loop.
 */
public interface Spawner {

    /** Returns the engine's name for logs and the API, such as {@code docker} or {@code process}. */
    String engine();

    /** Returns what the engine supports, for the options form and for option validation. */
    EngineCapabilities capabilities();

    /**
     * Creates the workspace if it does not exist and starts it if it is not running, reporting each step
     * to {@code progress}. Returns once the workspace's process runs; the caller then waits for it to
     * answer over HTTP while polling {@link #status} to fail fast when it exits.
     *
     * @throws SpawnException with a message fit for the user when the engine rejects or fails the start
     */
    StartedWorkspace start(WorkspaceSpec spec, SpawnProgress progress) throws SpawnException;

    /** Stops the workspace and keeps its container (or files) so that a later start resumes it. */
    void stop(WorkspaceRef ref) throws SpawnException;

    /** Stops and removes the workspace; removes its volume too when {@code removeVolume} is set. */
    void delete(WorkspaceRef ref, boolean removeVolume) throws SpawnException;

    /** Returns the workspace's state on the engine, or empty when the engine has nothing for it. */
    Optional<WorkspaceStatus> status(WorkspaceRef ref) throws SpawnException;

    /** Lists every workspace this hub created on the engine, found by its labels, for reconciliation. */
    List<WorkspaceStatus> list() throws SpawnException;

    /**
     * Starts reporting changes that happen on the engine without the hub, such as a container killed or removed
     * by hand, so that the hub marks the server stopped at once instead of at the next periodic reconcile. The
     * watch reconnects by itself after a failure and calls {@link WorkspaceWatch.Listener#watchConnected} after
     * each (re)connect.
     *
     * @return the subscription, or empty when the engine offers no watch and only the periodic reconcile notices
     */
    default Optional<WorkspaceWatch> watch(WorkspaceWatch.Listener listener) {
        return Optional.empty();
    }

    /**
     * Replaces the SSH public keys the workspace's sshd accepts, so that keys the user added or removed take
     * effect without a restart. A stopped workspace gets the keys of its {@link WorkspaceSpec} at its next start.
     *
     * @throws SpawnException when the workspace does not exist or the keys cannot be written
     */
    default void updateSshKeys(WorkspaceRef ref, List<String> sshPublicKeys) throws SpawnException {
        throw new SpawnException("the " + engine() + " engine cannot update SSH keys of a running workspace");
    }
}
