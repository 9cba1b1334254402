package io.mlhub.hub.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jspecify.annotations.Nullable;

/** Reads and writes {@code users}. Names are already normalised by the caller. */
public final class UserStore {
    /** Filter of a user list by the state of the users' servers. */
    public enum StateFilter {
        /** Every user. */
        ANY,
        /** Users with at least one server that is not stopped. */
        ACTIVE,
        /** Users with at least one running server. */
        READY,
        /** Users whose servers are all stopped. */
        INACTIVE
    }

    private static final String COLUMNS =
            "id, name, is_admin, authorized, password_hash, failed_logins, locked_until, created, last_activity";

    private final Jdbi jdbi;

    public UserStore(Database database) {
        this.jdbi = database.jdbi();
        jdbi.registerRowMapper(ConstructorMapper.factory(UserRecord.class));
    }

    /**
     * Inserts a user.
     *
     * @throws DuplicateException when the name is taken
     */
    public UserRecord create(String name, boolean admin, boolean authorized, @Nullable String passwordHash) {
        requireNonNull(name, "name");
        Instant now = Database.truncate(Instant.now());
        long id = SqlErrors.uniquely("user " + name + " already exists", () -> jdbi.withHandle(h -> h.createUpdate(
                        "INSERT INTO users (name, is_admin, authorized, password_hash, failed_logins, created) "
                                + "VALUES (:name, :admin, :authorized, :hash, 0, :now)")
                .bind("name", name)
                .bind("admin", admin)
                .bind("authorized", authorized)
                .bind("hash", passwordHash)
                .bind("now", now)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one()));
        return new UserRecord(id, name, admin, authorized, passwordHash, 0, null, now, null);
    }

    public Optional<UserRecord> find(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM users WHERE name = :name")
                .bind("name", name)
                .mapTo(UserRecord.class)
                .findOne());
    }

    public Optional<UserRecord> findById(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM users WHERE id = :id")
                .bind("id", id)
                .mapTo(UserRecord.class)
                .findOne());
    }

    /** Returns one page of users in id order. */
    public List<UserRecord> list(StateFilter state, @Nullable String nameFilter, int offset, int limit) {
        return list(state, nameFilter, null, Sort.ID, offset, limit);
    }

    /** Orders of a user list, as JupyterHub's {@code sort} parameter names them. */
    public enum Sort {
        ID("id", "id"),
        ID_DESC("-id", "id DESC"),
        NAME("name", "name, id"),
        NAME_DESC("-name", "name DESC, id DESC"),
        LAST_ACTIVITY("last_activity", "last_activity NULLS FIRST, id"),
        LAST_ACTIVITY_DESC("-last_activity", "last_activity DESC NULLS LAST, id DESC");

        private final String parameter;
        private final String orderBy;

        Sort(String parameter, String orderBy) {
            this.parameter = parameter;
            this.orderBy = orderBy;
        }

        /** Returns the order for a {@code sort} value, or empty for an unknown one. */
        public static Optional<Sort> parse(String parameter) {
            for (Sort sort : values()) {
                if (sort.parameter.equals(parameter)) {
                    return Optional.of(sort);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * Returns one page of users in the given order; {@code authorized}, when set, keeps only users with that
     * authorization state.
     */
    public List<UserRecord> list(StateFilter state, @Nullable String nameFilter, @Nullable Boolean authorized,
            Sort sort, int offset, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM users u WHERE "
                        + where(state, nameFilter, authorized) + " ORDER BY " + sort.orderBy
                        + " LIMIT :limit OFFSET :offset")
                .bind("filter", likePattern(nameFilter))
                .bind("limit", limit)
                .bind("offset", offset)
                .mapTo(UserRecord.class)
                .list());
    }

    /** Counts the users {@link #list} would return without paging. */
    public long count(StateFilter state, @Nullable String nameFilter) {
        return count(state, nameFilter, null);
    }

    /** Counts the users {@link #list} would return without paging. */
    public long count(StateFilter state, @Nullable String nameFilter, @Nullable Boolean authorized) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users u WHERE "
                        + where(state, nameFilter, authorized))
                .bind("filter", likePattern(nameFilter))
                .mapTo(Long.class)
                .one());
    }

    public void setAdmin(long id, boolean admin) {
        update("UPDATE users SET is_admin = :value WHERE id = :id", id, admin);
    }

    public void setAuthorized(long id, boolean authorized) {
        update("UPDATE users SET authorized = :value WHERE id = :id", id, authorized);
    }

    public void setPasswordHash(long id, String hash) {
        update("UPDATE users SET password_hash = :value WHERE id = :id", id, hash);
    }

    /**
     * Renames a user.
     *
     * @throws DuplicateException when the new name is taken
     */
    public void rename(long id, String newName) {
        SqlErrors.uniquely("user " + newName + " already exists", () -> {
            update("UPDATE users SET name = :value WHERE id = :id", id, newName);
            return null;
        });
    }

    /** Counts one more failed login. */
    public void recordFailedLogin(long id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = :id")
                .bind("id", id)
                .execute());
    }

    /** Locks the account until {@code until} and starts counting failed logins afresh. */
    public void lock(long id, Instant until) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET failed_logins = 0, locked_until = :until WHERE id = :id")
                .bind("until", until)
                .bind("id", id)
                .execute());
    }

    /** Clears failed logins and any lock-out. */
    public void resetFailedLogins(long id) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = :id")
                .bind("id", id)
                .execute());
    }

    /** Moves {@code last_activity} forward to {@code at}; an older time leaves it unchanged. */
    public void touch(long id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE users SET last_activity = :at "
                        + "WHERE id = :id AND (last_activity IS NULL OR last_activity < :at)")
                .bind("at", at)
                .bind("id", id)
                .execute());
    }

    /** Returns the name of every user by id. */
    public Map<Long, String> namesById() {
        Map<Long, String> names = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT id, name FROM users")
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("name")))
                .forEach(e -> names.put(e.getKey(), e.getValue())));
        return names;
    }

    /**
     * Returns the name by id of every user who has at least one server, so that the lifecycle services do not read
     * every account of a large hub.
     */
    public Map<Long, String> namesOfServerOwners() {
        Map<Long, String> names = new HashMap<>();
        // Driven by the servers table, which is small, rather than by users, which may hold many thousands.
        jdbi.useHandle(h -> h.createQuery("SELECT DISTINCT u.id, u.name FROM servers s "
                        + "JOIN users u ON u.id = s.user_id")
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), rs.getString("name")))
                .forEach(e -> names.put(e.getKey(), e.getValue())));
        return names;
    }

    /** Deletes a user with every server, token, key and OAuth client they own; returns whether one existed. */
    public boolean delete(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", id).execute()) > 0;
    }

    private void update(String sql, long id, Object value) {
        jdbi.useHandle(h -> h.createUpdate(sql).bind("value", value).bind("id", id).execute());
    }

    private static String where(StateFilter state, @Nullable String nameFilter, @Nullable Boolean authorized) {
        String name = nameFilter == null ? "1 = 1" : "LOWER(u.name) LIKE :filter ESCAPE '!'";
        String servers = switch (state) {
            case ANY -> "1 = 1";
            case ACTIVE -> "EXISTS (SELECT 1 FROM servers s WHERE s.user_id = u.id AND s.state <> 'STOPPED')";
            case READY -> "EXISTS (SELECT 1 FROM servers s WHERE s.user_id = u.id AND s.state = 'RUNNING')";
            case INACTIVE -> "NOT EXISTS (SELECT 1 FROM servers s WHERE s.user_id = u.id AND s.state <> 'STOPPED')";
        };
        String authorization = "1 = 1";
        if (authorized != null) {
            authorization = authorized ? "u.authorized" : "NOT u.authorized";
        }
        return name + " AND " + servers + " AND " + authorization;
    }

    private static @Nullable String likePattern(@Nullable String nameFilter) {
        if (nameFilter == null) {
            return null;
        }
        String escaped = nameFilter.toLowerCase(Locale.ROOT)
                .replace("!", "!!")
                .replace("%", "!%")
                .replace("_", "!_");
        return "%" + escaped + "%";
    }
}
