package io.mlhub.hub.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jspecify.annotations.Nullable;

/** Reads and writes {@code api_tokens}: API tokens, login sessions and OAuth access tokens, all stored hashed. */
public final class TokenStore {
    private static final String COLUMNS = "id, user_id, kind, token_hash, prefix, scopes, note, session_id, "
            + "oauth_client, server_name, created, expires_at, last_activity";

    private final Jdbi jdbi;

    public TokenStore(Database database) {
        this.jdbi = database.jdbi();
        jdbi.registerRowMapper(ConstructorMapper.factory(TokenRecord.class));
    }

    /** Fields of a new token; the store adds the id and the creation time. */
    public record NewToken(
            long userId,
            TokenKind kind,
            String tokenHash,
            String prefix,
            String scopes,
            String note,
            @Nullable Long sessionId,
            @Nullable String oauthClient,
            @Nullable String serverName,
            @Nullable Instant expiresAt) {}

    public TokenRecord insert(NewToken token) {
        Instant now = Database.truncate(Instant.now());
        long id = jdbi.withHandle(h -> h.createUpdate("INSERT INTO api_tokens (user_id, kind, token_hash, prefix, "
                        + "scopes, note, session_id, oauth_client, server_name, created, expires_at) VALUES "
                        + "(:userId, :kind, :tokenHash, :prefix, :scopes, :note, :sessionId, :oauthClient, "
                        + ":serverName, :now, :expiresAt)")
                .bindMethods(token)
                .bind("now", now)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
        Instant expires = token.expiresAt() == null ? null : Database.truncate(token.expiresAt());
        return new TokenRecord(id, token.userId(), token.kind(), token.tokenHash(), token.prefix(), token.scopes(),
                token.note(), token.sessionId(), token.oauthClient(), token.serverName(), now, expires, null);
    }

    public Optional<TokenRecord> findByHash(String tokenHash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE token_hash = :hash")
                .bind("hash", tokenHash)
                .mapTo(TokenRecord.class)
                .findOne());
    }

    public Optional<TokenRecord> find(long userId, long id) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + " FROM api_tokens WHERE id = :id AND user_id = :user")
                .bind("id", id)
                .bind("user", userId)
                .mapTo(TokenRecord.class)
                .findOne());
    }

    /** Returns a user's API and OAuth tokens, least recently used first; sessions are not included. */
    public List<TokenRecord> listTokens(long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens "
                        + "WHERE user_id = :user AND kind <> 'SESSION' ORDER BY last_activity, id")
                .bind("user", userId)
                .mapTo(TokenRecord.class)
                .list());
    }

    public boolean delete(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM api_tokens WHERE id = :id").bind("id", id).execute())
                > 0;
    }

    /** Deletes every token of a user issued to one OAuth client; returns how many went. */
    public int deleteForOAuthClient(long userId, String clientId) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "DELETE FROM api_tokens WHERE user_id = :user AND oauth_client = :client")
                .bind("user", userId)
                .bind("client", clientId)
                .execute());
    }

    /** Deletes the hub-issued token of one server; returns how many went. */
    public int deleteServerTokens(long userId, String serverName) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM api_tokens "
                        + "WHERE user_id = :user AND server_name = :server AND kind = 'API'")
                .bind("user", userId)
                .bind("server", serverName)
                .execute());
    }

    /** Deletes every OAuth token issued to any client of the given server; returns how many went. */
    public int deleteAllForClient(String clientId) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM api_tokens WHERE oauth_client = :client")
                .bind("client", clientId)
                .execute());
    }

    /** Records use of a token; the time only moves forward. */
    public void touch(long id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE api_tokens SET last_activity = :at "
                        + "WHERE id = :id AND (last_activity IS NULL OR last_activity < :at)")
                .bind("at", at)
                .bind("id", id)
                .execute());
    }

    /** Deletes tokens and sessions that expired before {@code now}; returns how many went. */
    public int purgeExpired(Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM api_tokens WHERE expires_at <= :now")
                .bind("now", now)
                .execute());
    }
}
