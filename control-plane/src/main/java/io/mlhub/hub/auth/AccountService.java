package io.mlhub.hub.auth;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.HubException;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.store.DuplicateException;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.UserRecord;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-up, login and password changes for the hub's own accounts. A failed login gets the same response whether the
 * name exists, the password is wrong or the account is locked, and takes about as long.
 */
public final class AccountService {
    private static final Logger logger = LoggerFactory.getLogger(AccountService.class);
    /** The message of every failed login. */
    public static final String LOGIN_FAILED = "Invalid username or password";

    private final HubConfig config;
    private final HubStore store;
    private final PasswordHasher hasher;
    private final DynamicWhitelist whitelist;

    public AccountService(HubConfig config, HubStore store, PasswordHasher hasher, DynamicWhitelist whitelist) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.hasher = requireNonNull(hasher, "hasher");
        this.whitelist = requireNonNull(whitelist, "whitelist");
    }

    /** Result of a sign-up. */
    public record SignupResult(String name, boolean authorized, boolean admin) {}

    /**
     * Registers a user with a password. A user an admin created without a password may sign up to set one.
     *
     * @throws HubException 400 for a bad name or password, 409 when the name already has a password
     */
    public SignupResult signup(String rawName, String password) {
        String name = NameRules.user(rawName);
        checkPassword(password);
        boolean admin = config.adminUsers().contains(name);
        boolean authorized = admin || config.openSignup();
        String hash = hasher.hash(password);

        Optional<UserRecord> existing = store.users().find(name);
        if (existing.isPresent()) {
            return completeSignup(existing.get(), hash, admin);
        }
        try {
            store.users().create(name, admin, authorized, hash);
        } catch (DuplicateException e) {
            throw HubException.conflict("User " + name + " already exists");
        }
        store.audit().record(name, "user.signup", name, "authorized=" + authorized + " admin=" + admin);
        logger.info("user signed up user={} authorized={} admin={}", name, authorized, admin);
        return new SignupResult(name, authorized, admin);
    }

    private SignupResult completeSignup(UserRecord user, String hash, boolean admin) {
        if (user.passwordHash() != null) {
            throw HubException.conflict("User " + user.name() + " already exists");
        }
        store.users().setPasswordHash(user.id(), hash);
        if (admin && !user.isAdmin()) {
            store.users().setAdmin(user.id(), true);
        }
        boolean authorized = user.authorized() || admin || config.openSignup();
        if (authorized && !user.authorized()) {
            store.users().setAuthorized(user.id(), true);
        }
        store.audit().record(user.name(), "user.signup", user.name(), "password set for existing user");
        logger.info("existing user set a password user={} authorized={}", user.name(), authorized);
        return new SignupResult(user.name(), authorized, admin || user.isAdmin());
    }

    /**
     * Checks a login and returns the user.
     *
     * @throws HubException 403 with {@link #LOGIN_FAILED} for any failure that must not reveal whether the name
     *     exists, or 403 "not authorized yet" after a correct password for a pending account
     */
    public UserRecord login(String rawName, String password) {
        String name;
        try {
            name = NameRules.user(rawName);
        } catch (InvalidNameException e) {
            hasher.matches(password, null);
            throw HubException.forbidden(LOGIN_FAILED);
        }
        Optional<UserRecord> found = store.users().find(name);
        Instant now = Instant.now();
        if (found.isEmpty()) {
            hasher.matches(password, null);
            logger.info("login failed user={} reason=unknown", name);
            throw HubException.forbidden(LOGIN_FAILED);
        }
        UserRecord user = found.get();
        if (user.lockedUntil() != null && now.isBefore(user.lockedUntil())) {
            hasher.matches(password, null);
            logger.info("login failed user={} reason=locked until={}", name, user.lockedUntil());
            throw HubException.forbidden(LOGIN_FAILED);
        }
        if (!hasher.matches(password, user.passwordHash())) {
            recordFailure(user, now);
            throw HubException.forbidden(LOGIN_FAILED);
        }
        return admit(user);
    }

    private UserRecord admit(UserRecord user) {
        if (user.failedLogins() > 0 || user.lockedUntil() != null) {
            store.users().resetFailedLogins(user.id());
        }
        if (!whitelist.allows(user.name(), user.isAdmin())) {
            throw HubException.forbidden(LOGIN_FAILED);
        }
        if (!user.authorized()) {
            logger.info("login rejected user={} reason=not authorized", user.name());
            throw HubException.forbidden("Your account is not authorized yet; ask an administrator to authorize "
                    + user.name());
        }
        logger.info("login user={}", user.name());
        return user;
    }

    private void recordFailure(UserRecord user, Instant now) {
        int max = config.lockout().maxFailedLogins();
        if (max > 0 && user.failedLogins() + 1 >= max) {
            Instant until = now.plus(config.lockout().lockDuration());
            store.users().lock(user.id(), until);
            store.audit().record(null, "user.lock", user.name(), "failed logins=" + (user.failedLogins() + 1));
            logger.warn("account locked after failed logins user={} failures={} until={}", user.name(),
                    user.failedLogins() + 1, until);
        } else {
            store.users().recordFailedLogin(user.id());
            logger.info("login failed user={} reason=password failures={}", user.name(), user.failedLogins() + 1);
        }
    }

    /**
     * Changes a user's password after checking the current one.
     *
     * @throws HubException 403 when the current password is wrong, 400 when the new one is too short
     */
    public void changePassword(UserRecord user, String currentPassword, String newPassword) {
        if (!hasher.matches(currentPassword, user.passwordHash())) {
            throw HubException.forbidden("The current password is wrong");
        }
        checkPassword(newPassword);
        store.users().setPasswordHash(user.id(), hasher.hash(newPassword));
        store.audit().record(user.name(), "user.password", user.name(), "");
        logger.info("password changed user={}", user.name());
    }

    private void checkPassword(String password) {
        if (password == null || password.length() < config.minPasswordLength()) {
            throw HubException.badRequest("Password must be at least " + config.minPasswordLength()
                    + " characters long");
        }
        if (password.length() > 1024) {
            throw HubException.badRequest("Password must be at most 1024 characters long");
        }
    }
}
