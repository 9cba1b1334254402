package io.mlhub.hub.spawn.lifecycle;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.spawn.WorkspaceRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops running servers that had no proxy activity for longer than the idle timeout.
 *
 * <p>A pass is one walk over the running servers and one map lookup each, so thousands of servers cost
 * little. Stops run in the background, at most {@code maxConcurrentStops} at once; a server whose stop is
 * still running is skipped by later passes, and a stop that failed is tried again by the next pass. A server
 * with no recorded activity counts as active from the first pass that lists it.
 */
public final class IdleCuller implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(IdleCuller.class);

    /** The last activity of each server, as the proxy records it. */
    @FunctionalInterface
    public interface ActivitySource {
        Map<WorkspaceRef, Instant> lastActivity();
    }

    /** Stops a server the way the API does: engine stop, store update and route removal. */
    @FunctionalInterface
    public interface ServerStopper {
        void stop(WorkspaceRef ref) throws Exception;
    }

    private final ServerRegistry registry;
    private final ActivitySource activity;
    private final ServerStopper stopper;
    private final Duration idleTimeout;
    private final Clock clock;
    private final Semaphore stopSlots;
    private final Set<WorkspaceRef> stopping = ConcurrentHashMap.newKeySet();
    private final Map<WorkspaceRef, Instant> firstSeen = new ConcurrentHashMap<>();
    private final ExecutorService stops = Executors.newVirtualThreadPerTaskExecutor();
    private @Nullable Periodic periodic;

    public IdleCuller(ServerRegistry registry, ActivitySource activity, ServerStopper stopper, Duration idleTimeout,
            int maxConcurrentStops, Clock clock) {
        this.registry = requireNonNull(registry, "registry");
        this.activity = requireNonNull(activity, "activity");
        this.stopper = requireNonNull(stopper, "stopper");
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isZero() || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: > 0)");
        }
        if (maxConcurrentStops < 1) {
            throw new IllegalArgumentException("maxConcurrentStops: " + maxConcurrentStops + " (expected: >= 1)");
        }
        this.stopSlots = new Semaphore(maxConcurrentStops);
        this.clock = requireNonNull(clock, "clock");
    }

    /** Runs one pass and returns the servers whose stop it started. */
    public List<WorkspaceRef> cull() {
        Instant now = clock.instant();
        Instant idleSince = now.minus(idleTimeout);
        Map<WorkspaceRef, Instant> lastActivity = activity.lastActivity();
        List<WorkspaceRef> started = new ArrayList<>();
        Set<WorkspaceRef> running = ConcurrentHashMap.newKeySet();

        for (ServerRegistry.RegisteredServer server : registry.servers()) {
            if (!server.running()) {
                continue;
            }
            WorkspaceRef ref = server.ref();
            running.add(ref);
            Instant last = lastActivity.getOrDefault(ref, firstSeen.computeIfAbsent(ref, key -> now));
            if (!last.isBefore(idleSince) || stopping.contains(ref)) {
                continue;
            }
            if (!stopSlots.tryAcquire()) {
                logger.debug("idle cull deferred, all stop slots busy user={} server={}", ref.user(), ref.server());
                continue;
            }
            stopping.add(ref);
            started.add(ref);
            stops.execute(() -> stopIdle(ref, last));
        }
        firstSeen.keySet().retainAll(running);
        return started;
    }

    private void stopIdle(WorkspaceRef ref, Instant lastActivity) {
        try {
            logger.info("stopping idle server user={} server={} lastActivity={}", ref.user(), ref.server(),
                    lastActivity);
            stopper.stop(ref);
        } catch (Exception failed) {
            logger.warn("failed to stop idle server, next pass tries again user={} server={} error={}", ref.user(),
                    ref.server(), failed.toString());
        } finally {
            stopping.remove(ref);
            stopSlots.release();
        }
    }

    /** Returns whether a stop of {@code ref} is running now. */
    public boolean isStopping(WorkspaceRef ref) {
        return stopping.contains(ref);
    }

    /** Runs a pass every {@code interval}. */
    public synchronized void startPeriodic(Duration interval) {
        if (periodic == null) {
            periodic = new Periodic("idle-culler", interval, this::cull);
        }
    }

    @Override
    public synchronized void close() {
        if (periodic != null) {
            periodic.close();
            periodic = null;
        }
        stops.shutdownNow();
    }
}
