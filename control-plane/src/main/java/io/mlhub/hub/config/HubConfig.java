package io.mlhub.hub.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every setting of the control plane, already validated. {@link ConfigLoader} builds it from the YAML file and
 * the environment; tests build it with {@link #defaults(Path)} and the {@code with*} copies.
 *
 * @param hubName {@code HUB_NAME}: 1 to 5 letters, digits or inner hyphens, not all digits
 * @param sslEnabled {@code SSL_ENABLED}: the public port speaks TLS, so cookies get the Secure flag
 * @param executionMode {@code EXECUTION_MODE}
 * @param dynamicWhitelistEnabled {@code DYNAMIC_WHITELIST_ENABLED}
 * @param cleanupIntervalSeconds {@code CLEANUP_INTERVAL_SECONDS}; {@code -1} disables the cleanup timer
 * @param dataDir {@code DATA_FOLDER}: where the embedded database and other state live
 * @param baseUrl path prefix of the hub, starting and ending with {@code /}
 * @param adminUsers names that become admins at sign-up or creation
 * @param openSignup whether self-registered accounts are authorized at once
 * @param allowNamedServers whether users may have servers besides the default one
 * @param namedServerLimitPerUser maximum named servers per user; {@code 0} means no limit
 * @param workspaceImages images users may choose from; the first is the default
 * @param limits maximums for workspace options
 * @param lockout failed-login lock-out
 * @param whitelistPath file of names allowed to log in when the dynamic whitelist is on
 * @param database where the database lives
 * @param minPasswordLength minimum password length at sign-up and password change
 * @param sessionMaxAge how long a login session lasts
 * @param slowSpawnTimeout how long a spawn request waits before it returns 202 instead of 201
 * @param spawnTimeout how long a workspace may take to respond before its spawn fails
 * @param hubConnectUrl how workspaces reach the hub API, or {@code null} for the hub's own loopback address
 * @param publicUrl the hub's public origin such as {@code https://hub.example.org}, or {@code null}
 * @param idleTimeoutSeconds {@code idleTimeoutSeconds}: running servers without activity for this long are
 *     stopped; {@code 0}, the default, turns idle culling off
 * @param logoFile {@code logoFile}: an image file that replaces the default logo, or {@code null}
 * @param logoUrl {@code logoUrl}: the URL of the logo when it is served elsewhere, or {@code null}
 */
public record HubConfig(
        String hubName,
        boolean sslEnabled,
        ExecutionMode executionMode,
        boolean dynamicWhitelistEnabled,
        int cleanupIntervalSeconds,
        Path dataDir,
        String baseUrl,
        List<String> adminUsers,
        boolean openSignup,
        boolean allowNamedServers,
        int namedServerLimitPerUser,
        List<String> workspaceImages,
        WorkspaceLimits limits,
        LockoutSettings lockout,
        Path whitelistPath,
        DatabaseSettings database,
        int minPasswordLength,
        Duration sessionMaxAge,
        Duration slowSpawnTimeout,
        Duration spawnTimeout,
        @Nullable String hubConnectUrl,
        @Nullable String publicUrl,
        int idleTimeoutSeconds,
        @Nullable Path logoFile,
        @Nullable String logoUrl) {

    public static final String DEFAULT_HUB_NAME = "mlhub";
    public static final Path DEFAULT_WHITELIST_PATH = Path.of("/resources/users/dynamic_whitelist.txt");

    public HubConfig {
        requireNonNull(hubName, "hubName");
        requireNonNull(executionMode, "executionMode");
        requireNonNull(dataDir, "dataDir");
        requireNonNull(baseUrl, "baseUrl");
        adminUsers = ConfigRules.normaliseUserNames("adminUsers", requireNonNull(adminUsers, "adminUsers"));
        workspaceImages = List.copyOf(requireNonNull(workspaceImages, "workspaceImages"));
        requireNonNull(limits, "limits");
        requireNonNull(lockout, "lockout");
        requireNonNull(whitelistPath, "whitelistPath");
        requireNonNull(database, "database");
        requireNonNull(sessionMaxAge, "sessionMaxAge");
        requireNonNull(slowSpawnTimeout, "slowSpawnTimeout");
        requireNonNull(spawnTimeout, "spawnTimeout");
        ConfigRules.checkHubName("HUB_NAME", hubName);
        ConfigRules.checkBaseUrl("baseUrl", baseUrl);
        if (cleanupIntervalSeconds != -1 && cleanupIntervalSeconds <= 0) {
            throw ConfigException.invalid("CLEANUP_INTERVAL_SECONDS", cleanupIntervalSeconds, "> 0, or -1 to disable");
        }
        if (namedServerLimitPerUser < 0) {
            throw ConfigException.invalid("namedServerLimitPerUser", namedServerLimitPerUser, ">= 0, 0 for no limit");
        }
        if (workspaceImages.isEmpty()) {
            throw ConfigException.invalid("workspaceImages", "[]", "at least one image");
        }
        if (idleTimeoutSeconds < 0) {
            throw ConfigException.invalid("idleTimeoutSeconds", idleTimeoutSeconds, ">= 0, 0 to turn idle culling off");
        }
        if (logoFile != null && logoUrl != null) {
            throw ConfigException.invalid("logoUrl", logoUrl, "not both logoFile and logoUrl");
        }
        if (minPasswordLength < 1 || minPasswordLength > 1024) {
            throw ConfigException.invalid("minPasswordLength", minPasswordLength, "1 to 1024");
        }
    }

    /** Returns the configuration used when no YAML file and no environment variable is given. */
    public static HubConfig defaults(Path dataDir) {
        return new HubConfig(
                DEFAULT_HUB_NAME,
                false,
                ExecutionMode.AUTO,
                false,
                3600,
                dataDir,
                "/",
                List.of("admin"),
                false,
                true,
                0,
                List.of("mltooling/ml-workspace-minimal:latest"),
                WorkspaceLimits.DEFAULT,
                LockoutSettings.DEFAULT,
                DEFAULT_WHITELIST_PATH,
                DatabaseSettings.embedded(dataDir),
                8,
                Duration.ofDays(14),
                Duration.ofSeconds(10),
                Duration.ofSeconds(120),
                null,
                null,
                0,
                null,
                null);
    }

    /** Returns a copy with another database. */
    public HubConfig withDatabase(DatabaseSettings newDatabase) {
        return new HubConfig(hubName, sslEnabled, executionMode, dynamicWhitelistEnabled, cleanupIntervalSeconds,
                dataDir, baseUrl, adminUsers, openSignup, allowNamedServers, namedServerLimitPerUser,
                workspaceImages, limits, lockout, whitelistPath, newDatabase, minPasswordLength, sessionMaxAge,
                slowSpawnTimeout, spawnTimeout, hubConnectUrl, publicUrl,
                idleTimeoutSeconds, logoFile, logoUrl);
    }

    /** Returns a copy with other sign-up and lock-out rules. */
    public HubConfig withAccounts(boolean newOpenSignup, LockoutSettings newLockout) {
        return new HubConfig(hubName, sslEnabled, executionMode, dynamicWhitelistEnabled, cleanupIntervalSeconds,
                dataDir, baseUrl, adminUsers, newOpenSignup, allowNamedServers, namedServerLimitPerUser,
                workspaceImages, limits, newLockout, whitelistPath, database, minPasswordLength, sessionMaxAge,
                slowSpawnTimeout, spawnTimeout, hubConnectUrl, publicUrl,
                idleTimeoutSeconds, logoFile, logoUrl);
    }

    /** Returns a copy with the dynamic whitelist switched on or off and read from {@code path}. */
    public HubConfig withWhitelist(boolean enabled, Path path) {
        return new HubConfig(hubName, sslEnabled, executionMode, enabled, cleanupIntervalSeconds,
                dataDir, baseUrl, adminUsers, openSignup, allowNamedServers, namedServerLimitPerUser,
                workspaceImages, limits, lockout, path, database, minPasswordLength, sessionMaxAge,
                slowSpawnTimeout, spawnTimeout, hubConnectUrl, publicUrl,
                idleTimeoutSeconds, logoFile, logoUrl);
    }

    /** Returns a copy with other named-server rules and spawn timeouts. */
    public HubConfig withServers(boolean named, int limitPerUser, Duration slowSpawn, Duration spawn) {
        return new HubConfig(hubName, sslEnabled, executionMode, dynamicWhitelistEnabled, cleanupIntervalSeconds,
                dataDir, baseUrl, adminUsers, openSignup, named, limitPerUser,
                workspaceImages, limits, lockout, whitelistPath, database, minPasswordLength, sessionMaxAge,
                slowSpawn, spawn, hubConnectUrl, publicUrl,
                idleTimeoutSeconds, logoFile, logoUrl);
    }

    /** Returns a copy served under another base URL and public origin. */
    public HubConfig withUrls(String newBaseUrl, @Nullable String newPublicUrl) {
        return new HubConfig(hubName, sslEnabled, executionMode, dynamicWhitelistEnabled, cleanupIntervalSeconds,
                dataDir, newBaseUrl, adminUsers, openSignup, allowNamedServers, namedServerLimitPerUser,
                workspaceImages, limits, lockout, whitelistPath, database, minPasswordLength, sessionMaxAge,
                slowSpawnTimeout, spawnTimeout, hubConnectUrl, newPublicUrl,
                idleTimeoutSeconds, logoFile, logoUrl);
    }

    /** Returns a copy with another cleanup interval and idle timeout, in seconds. */
    public HubConfig withLifecycle(int newCleanupIntervalSeconds, int newIdleTimeoutSeconds) {
        return new HubConfig(hubName, sslEnabled, executionMode, dynamicWhitelistEnabled, newCleanupIntervalSeconds,
                dataDir, baseUrl, adminUsers, openSignup, allowNamedServers, namedServerLimitPerUser,
                workspaceImages, limits, lockout, whitelistPath, database, minPasswordLength, sessionMaxAge,
                slowSpawnTimeout, spawnTimeout, hubConnectUrl, publicUrl,
                newIdleTimeoutSeconds, logoFile, logoUrl);
    }

    /** Returns a copy with other workspace images, limits and logo. */
    public HubConfig withWorkspaces(List<String> newImages, WorkspaceLimits newLimits, @Nullable Path newLogoFile,
            @Nullable String newLogoUrl) {
        return new HubConfig(hubName, sslEnabled, executionMode, dynamicWhitelistEnabled, cleanupIntervalSeconds,
                dataDir, baseUrl, adminUsers, openSignup, allowNamedServers, namedServerLimitPerUser,
                newImages, newLimits, lockout, whitelistPath, database, minPasswordLength, sessionMaxAge,
                slowSpawnTimeout, spawnTimeout, hubConnectUrl, publicUrl,
                idleTimeoutSeconds, newLogoFile, newLogoUrl);
    }

    /** Returns the path of the hub's own pages and API, such as {@code /hub/}. */
    public String hubPrefix() {
        return baseUrl + "hub/";
    }
}
