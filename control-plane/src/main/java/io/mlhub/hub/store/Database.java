package io.mlhub.hub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mlhub.hub.config.DatabaseSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.statement.SqlStatements;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's connection pool, schema and row mapper. Opening it runs the Flyway migrations, so a fresh database
 * is ready at once and an old one is upgraded.
 */
public final class Database implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(Database.class);

    /**
     * The versions of the migrations in {@code db/migration}, oldest first. A database whose schema history contains
     * all of them opens without Flyway, which saved about a second of start-up in one measurement. Add each new
     * migration here.
     */
    static final List<String> MIGRATIONS = List.of("1", "2");
    /** Connections kept open when idle; the pool grows to the configured size under load. */
    private static final int MIN_IDLE = 2;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        jdbi.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
        jdbi.registerArgument(new InstantArgumentFactory());
        jdbi.registerColumnMapper(Instant.class, instantMapper());
    }

    /** Opens the pool and migrates the schema to the newest version. */
    public static Database open(DatabaseSettings settings) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(settings.jdbcUrl());
        hikari.setUsername(settings.user());
        hikari.setPassword(settings.password());
        hikari.setMaximumPoolSize(settings.maxPoolSize());
        hikari.setMinimumIdle(Math.min(MIN_IDLE, settings.maxPoolSize()));
        hikari.setPoolName("hub-db");
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            if (upToDate(dataSource)) {
                logger.info("database ready url={} migrationsApplied=0 schemaVersion={}", redact(settings.jdbcUrl()),
                        MIGRATIONS.getLast());
                return new Database(dataSource);
            }
            var result = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            logger.info("database ready url={} migrationsApplied={} schemaVersion={}",
                    redact(settings.jdbcUrl()), result.migrationsExecuted, result.targetSchemaVersion);
            return new Database(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * Returns whether Flyway's schema history records every migration of {@link #MIGRATIONS} as applied. A missing
     * history table, a failed migration or an unreadable row returns false, so that Flyway decides.
     */
    // NOTE: this skips Flyway's check of the applied scripts' checksums on an up-to-date database.
    private static boolean upToDate(DataSource dataSource) {
        Set<String> applied = new HashSet<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT \"version\", \"success\" FROM \"flyway_schema_history\"")) {
            while (rows.next()) {
                if (!rows.getBoolean(2)) {
                    return false;
                }
                applied.add(rows.getString(1));
            }
        } catch (SQLException e) {
            logger.debug("schema history not readable, migrating error={}", e.getMessage());
            return false;
        }
        return applied.containsAll(MIGRATIONS);
    }

    /** Returns the row mapper shared by the stores. */
    public Jdbi jdbi() {
        return jdbi;
    }

    @Override
    public void close() {
        dataSource.close();
    }

    /** Returns {@code instant} cut to the microseconds both databases keep. */
    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    private static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static ColumnMapper<Instant> instantMapper() {
        return (rs, column, ctx) -> {
            OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
            return value == null ? null : value.toInstant();
        };
    }

    /** Writes {@link Instant} as a UTC {@link OffsetDateTime}, which H2 and PostgreSQL store without a zone shift. */
    private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
        InstantArgumentFactory() {
            super(Types.TIMESTAMP_WITH_TIMEZONE);
        }

        @Override
        protected Argument build(Instant value, ConfigRegistry config) {
            OffsetDateTime utc = truncate(value).atOffset(ZoneOffset.UTC);
            return (position, statement, ctx) -> statement.setObject(position, utc);
        }
    }
}
