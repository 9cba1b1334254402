package io.mlhub.hub.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jspecify.annotations.Nullable;

/** Reads and writes {@code servers}. */
public final class ServerStore {
    private static final String COLUMNS = "id, user_id, name, state, user_options, engine_id, target, expires_at, "
            + "started, last_activity, created, ssh_address";

    private final Jdbi jdbi;

    public ServerStore(Database database) {
        this.jdbi = database.jdbi();
        jdbi.registerRowMapper(ConstructorMapper.factory(ServerRecord.class));
    }

    public Optional<ServerRecord> find(long userId, String name) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM servers WHERE user_id = :user AND name = :name")
                .bind("user", userId)
                .bind("name", name)
                .mapTo(ServerRecord.class)
                .findOne());
    }

    /** Returns the servers of the given users, in user and name order. */
    public List<ServerRecord> listForUsers(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM servers WHERE user_id IN (<ids>) ORDER BY user_id, name")
                .bindList("ids", List.copyOf(userIds))
                .mapTo(ServerRecord.class)
                .list());
    }

    /** Returns every server in the given state. */
    public List<ServerRecord> listInState(ServerState state) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM servers WHERE state = :state")
                .bind("state", state)
                .mapTo(ServerRecord.class)
                .list());
    }

    /** Counts a user's named servers, the default server not included. */
    public int countNamed(long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM servers WHERE user_id = :user AND name <> ''")
                .bind("user", userId)
                .mapTo(Integer.class)
                .one());
    }

    /**
     * Creates the server record, or updates it, in state {@link ServerState#SPAWNING} with new options.
     *
     * @return the record as stored
     */
    public ServerRecord markSpawning(long userId, String name, String userOptionsJson, @Nullable Instant expiresAt) {
        return jdbi.inTransaction(h -> {
            int updated = h.createUpdate("UPDATE servers SET state = 'SPAWNING', user_options = :options, "
                            + "expires_at = :expires, engine_id = NULL, target = NULL, ssh_address = NULL, "
                            + "started = NULL "
                            + "WHERE user_id = :user AND name = :name")
                    .bind("options", userOptionsJson)
                    .bind("expires", expiresAt)
                    .bind("user", userId)
                    .bind("name", name)
                    .execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO servers (user_id, name, state, user_options, expires_at, created) "
                                + "VALUES (:user, :name, 'SPAWNING', :options, :expires, :now)")
                        .bind("user", userId)
                        .bind("name", name)
                        .bind("options", userOptionsJson)
                        .bind("expires", expiresAt)
                        .bind("now", Instant.now())
                        .execute();
            }
            return h.createQuery("SELECT " + COLUMNS + " FROM servers WHERE user_id = :user AND name = :name")
                    .bind("user", userId)
                    .bind("name", name)
                    .mapTo(ServerRecord.class)
                    .one();
        });
    }

    /** Replaces the options and expiry of a server, such as to restore them after a start with new ones failed. */
    public void setOptions(long id, String userOptionsJson, @Nullable Instant expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET user_options = :options, expires_at = :expires "
                        + "WHERE id = :id")
                .bind("options", userOptionsJson)
                .bind("expires", expiresAt)
                .bind("id", id)
                .execute());
    }

    /** Records that the workspace responds at {@code target}, without an SSH address. */
    public void markRunning(long id, String engineId, String target, Instant started) {
        markRunning(id, engineId, target, null, started);
    }

    /**
     * Records that the workspace responds at {@code target} and, when it runs an sshd, accepts SSH at
     * {@code sshAddress} ({@code host:port}).
     */
    public void markRunning(long id, String engineId, String target, @Nullable String sshAddress, Instant started) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET state = 'RUNNING', engine_id = :engine, "
                        + "target = :target, ssh_address = :ssh, started = :started, last_activity = :started "
                        + "WHERE id = :id")
                .bind("engine", engineId)
                .bind("target", target)
                .bind("ssh", sshAddress)
                .bind("started", started)
                .bind("id", id)
                .execute());
    }

    /** Updates where a running server's workspace listens, as a reconcile finds it on the engine. */
    public void updateAddresses(long id, String engineId, String target, @Nullable String sshAddress) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET state = 'RUNNING', engine_id = :engine, "
                        + "target = :target, ssh_address = :ssh, started = COALESCE(started, :now) WHERE id = :id")
                .bind("engine", engineId)
                .bind("target", target)
                .bind("ssh", sshAddress)
                .bind("now", Instant.now())
                .bind("id", id)
                .execute());
    }

    /** Returns every server of every user, for reconciliation and culling. */
    public List<ServerRecord> listAll() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM servers ORDER BY user_id, name")
                .mapTo(ServerRecord.class)
                .list());
    }

    /** Sets the state; a stopped server loses its target. */
    public void setState(long id, ServerState state) {
        String clearTarget = state == ServerState.STOPPED ? ", target = NULL, ssh_address = NULL, started = NULL" : "";
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET state = :state" + clearTarget + " WHERE id = :id")
                .bind("state", state)
                .bind("id", id)
                .execute());
    }

    /** Records the engine's id for a workspace that is still starting. */
    public void setEngineId(long id, String engineId) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET engine_id = :engine WHERE id = :id")
                .bind("engine", engineId)
                .bind("id", id)
                .execute());
    }

    /** Moves {@code last_activity} forward to {@code at}; an older time leaves it unchanged. */
    public void touch(long id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE servers SET last_activity = :at "
                        + "WHERE id = :id AND (last_activity IS NULL OR last_activity < :at)")
                .bind("at", at)
                .bind("id", id)
                .execute());
    }

    public boolean delete(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM servers WHERE id = :id").bind("id", id).execute()) > 0;
    }
}
