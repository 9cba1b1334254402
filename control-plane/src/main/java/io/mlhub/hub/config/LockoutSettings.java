package io.mlhub.hub.config;

import java.time.Duration;

/**
 * Failed-login lock-out.
 *
 * @param maxFailedLogins failed logins in a row that lock an account; {@code 0} disables lock-out
 * @param lockDuration how long a locked account stays locked
 */
public record LockoutSettings(int maxFailedLogins, Duration lockDuration) {
    public static final LockoutSettings DEFAULT = new LockoutSettings(5, Duration.ofMinutes(10));

    public LockoutSettings {
        if (maxFailedLogins < 0) {
            throw ConfigException.invalid("lockout.maxFailedLogins", maxFailedLogins, ">= 0");
        }
        if (lockDuration.isNegative() || lockDuration.isZero()) {
            throw ConfigException.invalid("lockout.seconds", lockDuration.toSeconds(), "> 0");
        }
    }
}
