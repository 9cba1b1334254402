package io.mlhub.hub.spawn.lifecycle;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the store in line with the workspaces the engine runs, found by label. Running workspaces are
 * adopted: the store marks them running and publishes their routes, which matters after a hub restart.
 * Servers the store records as running but the engine does not run are marked stopped. Workspaces that
 * belong to no stored server are removed. A reconcile never stops a workspace of a stored server.
 *
 * <p>TODO: runs on start and on a timer only; reacting to the engine's event stream would notice a killed
 * container within a second instead of one interval.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Reconciler.class);

    private final Spawner spawner;
    private final ServerRegistry registry;
    private final boolean removeOrphans;
    private @Nullable Periodic periodic;

    /**
     * Creates the reconciler.
     *
     * @param removeOrphans whether workspaces that belong to no stored server are deleted (their volumes are
     *     kept); when off they are only logged
     */
    public Reconciler(Spawner spawner, ServerRegistry registry, boolean removeOrphans) {
        this.spawner = requireNonNull(spawner, "spawner");
        this.registry = requireNonNull(registry, "registry");
        this.removeOrphans = removeOrphans;
    }

    /**
     * The changes of one reconcile.
     *
     * @param running servers found running and (re)published
     * @param markedStopped servers the store thought running that the engine does not run
     * @param orphans workspaces of no stored server, deleted when {@code removeOrphans} is on
     */
    public record Report(List<WorkspaceRef> running, List<WorkspaceRef> markedStopped, List<WorkspaceRef> orphans) {
        public Report {
            running = List.copyOf(running);
            markedStopped = List.copyOf(markedStopped);
            orphans = List.copyOf(orphans);
        }
    }

    /** Compares the store with the engine once and repairs the differences. */
    public Report reconcile() throws SpawnException {
        Map<WorkspaceRef, WorkspaceStatus> onEngine = new HashMap<>();
        for (WorkspaceStatus status : spawner.list()) {
            onEngine.put(status.ref(), status);
        }

        List<WorkspaceRef> running = new ArrayList<>();
        List<WorkspaceRef> markedStopped = new ArrayList<>();
        for (ServerRegistry.RegisteredServer server : registry.servers()) {
            WorkspaceStatus status = onEngine.remove(server.ref());
            if (status != null && status.running()) {
                registry.markRunning(status);
                running.add(server.ref());
            } else if (server.running()) {
                registry.markStopped(server.ref(), status == null ? null : status.exitCode());
                markedStopped.add(server.ref());
                logger.info("server no longer runs on the engine, marked stopped user={} server={} exitCode={}",
                        server.ref().user(), server.ref().server(), status == null ? null : status.exitCode());
            }
        }

        List<WorkspaceRef> orphans = new ArrayList<>(onEngine.keySet());
        for (WorkspaceRef orphan : orphans) {
            removeOrphan(orphan);
        }
        return new Report(running, markedStopped, orphans);
    }

    private void removeOrphan(WorkspaceRef orphan) {
        if (!removeOrphans) {
            logger.warn("workspace belongs to no stored server, left in place user={} server={}", orphan.user(),
                    orphan.server());
            return;
        }
        try {
            spawner.delete(orphan, false);
            logger.info("workspace of no stored server removed user={} server={}", orphan.user(), orphan.server());
        } catch (SpawnException failed) {
            logger.warn("failed to remove workspace of no stored server user={} server={} error={}", orphan.user(),
                    orphan.server(), failed.getMessage());
        }
    }

    /** Runs a reconcile every {@code interval}. */
    public synchronized void startPeriodic(Duration interval) {
        if (periodic == null) {
            periodic = new Periodic("reconcile", interval, this::reconcileLogged);
        }
    }

    private void reconcileLogged() {
        try {
            reconcile();
        } catch (SpawnException failed) {
            logger.warn("reconcile failed, next run tries again error={}", failed.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (periodic != null) {
            periodic.close();
            periodic = null;
        }
    }
}
