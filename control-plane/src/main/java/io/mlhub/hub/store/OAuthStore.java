package io.mlhub.hub.store;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Reads and writes {@code oauth_clients} and {@code oauth_codes}. */
public final class OAuthStore {
    private final Jdbi jdbi;

    public OAuthStore(Database database) {
        this.jdbi = database.jdbi();
        jdbi.registerRowMapper(ConstructorMapper.factory(OAuthClientRecord.class));
        jdbi.registerRowMapper(ConstructorMapper.factory(OAuthCodeRecord.class));
    }

    /** Creates the client or replaces its secret and redirect URI. */
    public void putClient(OAuthClientRecord client) {
        jdbi.useTransaction(h -> {
            int updated = h.createUpdate("UPDATE oauth_clients SET secret_hash = :secretHash, "
                            + "redirect_uri = :redirectUri, description = :description, user_id = :userId, "
                            + "server_name = :serverName WHERE client_id = :clientId")
                    .bindMethods(client)
                    .execute();
            if (updated == 0) {
                h.createUpdate("INSERT INTO oauth_clients (client_id, secret_hash, redirect_uri, description, "
                                + "user_id, server_name, created) VALUES (:clientId, :secretHash, :redirectUri, "
                                + ":description, :userId, :serverName, :created)")
                        .bindMethods(client)
                        .execute();
            }
        });
    }

    public Optional<OAuthClientRecord> findClient(String clientId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT client_id, secret_hash, redirect_uri, description, "
                        + "user_id, server_name, created FROM oauth_clients WHERE client_id = :id")
                .bind("id", clientId)
                .mapTo(OAuthClientRecord.class)
                .findOne());
    }

    public void deleteClient(String clientId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM oauth_clients WHERE client_id = :id")
                .bind("id", clientId)
                .execute());
    }

    public void insertCode(OAuthCodeRecord code) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO oauth_codes (code_hash, client_id, user_id, session_id, "
                        + "scopes, redirect_uri, expires_at) VALUES (:codeHash, :clientId, :userId, :sessionId, "
                        + ":scopes, :redirectUri, :expiresAt)")
                .bindMethods(code)
                .execute());
    }

    /** Removes and returns a code, so that it works only once. */
    public Optional<OAuthCodeRecord> takeCode(String codeHash) {
        return jdbi.inTransaction(h -> {
            Optional<OAuthCodeRecord> code = h.createQuery("SELECT code_hash, client_id, user_id, session_id, scopes, "
                            + "redirect_uri, expires_at FROM oauth_codes WHERE code_hash = :hash")
                    .bind("hash", codeHash)
                    .mapTo(OAuthCodeRecord.class)
                    .findOne();
            int deleted = h.createUpdate("DELETE FROM oauth_codes WHERE code_hash = :hash")
                    .bind("hash", codeHash)
                    .execute();
            return deleted == 1 ? code : Optional.empty();
        });
    }

    /** Deletes codes that expired before {@code now}. */
    public int purgeExpiredCodes(Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM oauth_codes WHERE expires_at <= :now")
                .bind("now", now)
                .execute());
    }
}
