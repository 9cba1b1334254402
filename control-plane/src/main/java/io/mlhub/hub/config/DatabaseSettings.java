package io.mlhub.hub.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Location and credentials of the hub's database.
 *
 * @param jdbcUrl a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL
 * @param user database user, or {@code null} for none
 * @param password database password, or {@code null} for none
 * @param maxPoolSize maximum connections in the pool
 */
public record DatabaseSettings(String jdbcUrl, @Nullable String user, @Nullable String password, int maxPoolSize) {
    public DatabaseSettings {
        requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw ConfigException.invalid("database.url", jdbcUrl, "a jdbc:h2: or jdbc:postgresql: URL");
        }
        if (maxPoolSize < 1) {
            throw ConfigException.invalid("database.maxPoolSize", maxPoolSize, ">= 1");
        }
    }

    /** Returns an H2 file database in {@code dataDir}. */
    public static DatabaseSettings embedded(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve("mlhub");
        return new DatabaseSettings("jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", 10);
    }

    /** Returns whether this is PostgreSQL. */
    public boolean isPostgres() {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[jdbcUrl=" + jdbcUrl + ", user=" + user + ", maxPoolSize=" + maxPoolSize + "]";
    }
}
