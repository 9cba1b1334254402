package io.mlhub.hub.spawn.lifecycle;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.Spawner;
import io.mlhub.hub.spawn.UserResources;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what should no longer exist: workspaces past their expiry ({@code days_to_live}), and the
 * workspaces, networks and volumes of users who were deleted. The admin API calls the two methods on demand,
 * and {@link #startPeriodic} runs both every {@code CLEANUP_INTERVAL_SECONDS}.
 */
public final class CleanupService implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(CleanupService.class);

    private final Spawner spawner;
    private final ServerRegistry registry;
    private final Clock clock;
    private final boolean removeExpiredVolumes;
    private @Nullable Periodic periodic;

    /**
     * Creates the service.
     *
     * @param removeExpiredVolumes whether an expired workspace's volume goes with it; a deleted user's
     *     volumes are always removed
     */
    public CleanupService(Spawner spawner, ServerRegistry registry, Clock clock, boolean removeExpiredVolumes) {
        this.spawner = requireNonNull(spawner, "spawner");
        this.registry = requireNonNull(registry, "registry");
        this.clock = requireNonNull(clock, "clock");
        this.removeExpiredVolumes = removeExpiredVolumes;
    }

    /**
     * The result of one cleanup: what it removed and what failed.
     *
     * @param removed the workspaces deleted
     * @param removedUsers the deleted users whose remaining resources were removed
     * @param failures one message per workspace or user that could not be removed; the next run tries again
     */
    public record Report(List<WorkspaceRef> removed, List<String> removedUsers, List<String> failures) {
        public Report {
            removed = List.copyOf(removed);
            removedUsers = List.copyOf(removedUsers);
            failures = List.copyOf(failures);
        }
    }

    /** Deletes every workspace whose expiry has passed and removes its server from the store. */
    public Report removeExpired() throws SpawnException {
        Instant now = clock.instant();
        List<WorkspaceRef> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (WorkspaceStatus status : spawner.list()) {
            Instant expiresAt = status.expiresAt();
            if (expiresAt == null || expiresAt.isAfter(now)) {
                continue;
            }
            try {
                spawner.delete(status.ref(), removeExpiredVolumes);
                registry.markDeleted(status.ref());
                removed.add(status.ref());
                logger.info("expired workspace removed user={} server={} expiresAt={}", status.ref().user(),
                        status.ref().server(), expiresAt);
            } catch (SpawnException failed) {
                failures.add(status.ref().user() + "/" + status.ref().server() + ": " + failed.getMessage());
                logger.warn("failed to remove expired workspace user={} server={} error={}", status.ref().user(),
                        status.ref().server(), failed.getMessage());
            }
        }
        return new Report(removed, List.of(), failures);
    }

    /** Deletes the workspaces and the user resources (networks, volumes) of users that no longer exist. */
    public Report removeDeletedUsers() throws SpawnException {
        Set<String> existing = registry.userNames();
        List<WorkspaceRef> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Set<String> goneUsers = new TreeSet<>();
        for (WorkspaceStatus status : spawner.list()) {
            if (existing.contains(status.ref().user())) {
                continue;
            }
            goneUsers.add(status.ref().user());
            try {
                spawner.delete(status.ref(), true);
                removed.add(status.ref());
            } catch (SpawnException failed) {
                failures.add(status.ref().user() + "/" + status.ref().server() + ": " + failed.getMessage());
            }
        }
        if (spawner instanceof UserResources resources) {
            for (String user : resources.usersWithResources()) {
                if (!existing.contains(user)) {
                    goneUsers.add(user);
                }
            }
            for (String user : goneUsers) {
                try {
                    resources.removeUserResources(user);
                } catch (SpawnException failed) {
                    failures.add(user + ": " + failed.getMessage());
                }
            }
        }
        if (!goneUsers.isEmpty()) {
            logger.info("resources of deleted users removed users={} workspaces={} failures={}", goneUsers.size(),
                    removed.size(), failures.size());
        }
        return new Report(removed, List.copyOf(goneUsers), failures);
    }

    /** Runs both cleanups every {@code interval}; a zero or negative interval (such as -1 s) disables them. */
    public synchronized void startPeriodic(Duration interval) {
        if (interval.isZero() || interval.isNegative() || periodic != null) {
            return;
        }
        periodic = new Periodic("cleanup", interval, this::runBoth);
        logger.info("cleanup scheduled interval={}", interval);
    }

    private void runBoth() {
        try {
            removeExpired();
            removeDeletedUsers();
        } catch (SpawnException failed) {
            logger.warn("cleanup failed, next run tries again error={}", failed.getMessage());
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
