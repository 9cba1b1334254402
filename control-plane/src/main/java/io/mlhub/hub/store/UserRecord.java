package io.mlhub.hub.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One row of {@code users}.
 *
 * @param passwordHash encoded password hash, or {@code null} while the user has not signed up
 * @param failedLogins failed logins since the last successful one
 * @param lockedUntil end of the current lock-out, or {@code null}
 */
public record UserRecord(
        long id,
        String name,
        boolean isAdmin,
        boolean authorized,
        @Nullable String passwordHash,
        int failedLogins,
        @Nullable Instant lockedUntil,
        Instant created,
        @Nullable Instant lastActivity) {}
