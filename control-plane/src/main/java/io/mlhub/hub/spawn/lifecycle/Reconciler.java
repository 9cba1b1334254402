package io.mlhub.hub.spawn.lifecycle;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceEvent;
import io.mlhub.hub.spawn.WorkspaceStatus;
import io.mlhub.hub.spawn.WorkspaceWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the store in line with the workspaces the engine runs, found by label. Running workspaces are
 * adopted: the store marks them running and publishes their routes, which matters after a hub restart.
 * Servers the store records as running but the engine does not run are marked stopped. Workspaces that
 * belong to no stored server are removed. A reconcile never stops a workspace of a stored server.
 *
 * <p>Besides the full reconcile on start and on a timer, {@link #watchEngine} follows the engine's events: a
 * workspace that dies or is removed outside the hub has its server marked stopped and its route removed as soon
 * as the event arrives, and each (re)connect of the watch runs a full reconcile for the events it missed.
 * The timer stays as a safety net for engines without a watch and for lost events.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Reconciler.class);
    private static final int CONNECT_ATTEMPTS = 3;

    private final Spawner spawner;
    private final ServerRegistry registry;
    private final boolean removeOrphans;
    private final ReentrantLock reconcileLock = new ReentrantLock();
    private @Nullable Periodic periodic;
    private @Nullable WorkspaceWatch watch;
    private @Nullable ExecutorService eventWorker;
    private volatile boolean closed;

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
        reconcileLock.lock();
        try {
            return reconcileAll();
        } finally {
            reconcileLock.unlock();
        }
    }

    private Report reconcileAll() throws SpawnException {
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

    /**
     * Compares one server with the engine after an engine event: marks it stopped (removing its route) when its
     * workspace no longer runs, or records the running workspace's current address. A workspace of no stored
     * server is left to the full reconcile, which removes orphans.
     *
     * @return whether the store changed
     */
    public boolean reconcile(WorkspaceEvent event) throws SpawnException {
        WorkspaceRef ref = event.ref();
        reconcileLock.lock();
        try {
            Optional<ServerRegistry.RegisteredServer> server = registry.servers().stream()
                    .filter(candidate -> candidate.ref().equals(ref))
                    .findFirst();
            if (server.isEmpty()) {
                return false;
            }
            Optional<WorkspaceStatus> status = spawner.status(ref);
            if (status.isPresent() && status.get().running()) {
                registry.markRunning(status.get());
                return !server.get().running();
            }
            if (!server.get().running()) {
                return false;
            }
            Integer exitCode = status.map(WorkspaceStatus::exitCode).orElse(event.exitCode());
            registry.markStopped(ref, exitCode);
            logger.info("server marked stopped after engine event user={} server={} event={} exitCode={}",
                    ref.user(), ref.server(), event.action(), exitCode);
            return true;
        } finally {
            reconcileLock.unlock();
        }
    }

    /**
     * Follows the spawner's engine events, when it offers a watch, until {@link #close}. Events are handled one at
     * a time on a worker thread, so a slow engine call never stalls the stream.
     *
     * @return whether the spawner offers a watch
     */
    public synchronized boolean watchEngine() {
        if (watch != null) {
            return true;
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(
                Thread.ofVirtual().name("mlhub-reconcile-events").factory());
        Optional<WorkspaceWatch> opened = spawner.watch(new WorkspaceWatch.Listener() {
            @Override
            public void workspaceChanged(WorkspaceEvent event) {
                submit(worker, () -> reconcileLogged(event));
            }

            @Override
            public void watchConnected() {
                submit(worker, Reconciler.this::reconcileAfterConnect);
            }
        });
        if (opened.isEmpty()) {
            worker.shutdown();
            logger.info("engine offers no workspace watch, reconciling on the timer only engine={}",
                    spawner.engine());
            return false;
        }
        watch = opened.get();
        eventWorker = worker;
        return true;
    }

    private static void submit(ExecutorService worker, Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException closing) {
            logger.debug("reconciler closing, engine event dropped");
        }
    }

    /**
     * Runs the full reconcile after the watch (re)connected, trying up to {@link #CONNECT_ATTEMPTS} times 1 s apart,
     * because right after an engine restart or a broken connection the first engine calls may fail on connections
     * that the engine already closed.
     */
    private void reconcileAfterConnect() {
        for (int attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
            try {
                Report report = reconcile();
                logger.info("reconciled after the engine watch connected running={} markedStopped={} orphans={}",
                        report.running().size(), report.markedStopped().size(), report.orphans().size());
                return;
            } catch (SpawnException | RuntimeException failed) {
                if (attempt == CONNECT_ATTEMPTS) {
                    logger.warn("reconcile after the engine watch connected failed, the periodic reconcile tries "
                            + "again attempts={} error={}", attempt, failed.getMessage());
                    return;
                }
                logger.debug("reconcile after the engine watch connected failed, retrying attempt={} error={}",
                        attempt, failed.getMessage());
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException closing) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void reconcileLogged(WorkspaceEvent event) {
        try {
            reconcile(event);
        } catch (SpawnException | RuntimeException failed) {
            if (closed) {
                logger.debug("reconcile after engine event cut short by close error={}", failed.getMessage());
                return;
            }
            logger.warn("reconcile after engine event failed, the periodic reconcile tries again user={} server={} "
                    + "event={} error={}", event.ref().user(), event.ref().server(), event.action(),
                    failed.getMessage());
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
        } catch (SpawnException | RuntimeException failed) {
            logger.warn("reconcile failed, next run tries again error={}", failed.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            watch.close();
            watch = null;
        }
        if (eventWorker != null) {
            eventWorker.shutdownNow();
            eventWorker = null;
        }
        if (periodic != null) {
            periodic.close();
            periodic = null;
        }
    }
}
