package io.mlhub.hub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mlhub.hub.config.DatabaseSettings;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
        hikari.setPoolName("hub-db");
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            var result = Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
            logger.info("database ready url={} migrationsApplied={} schemaVersion={}",
                    redact(settings.jdbcUrl()), result.migrationsExecuted, result.targetSchemaVersion);
            return new Database(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
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
