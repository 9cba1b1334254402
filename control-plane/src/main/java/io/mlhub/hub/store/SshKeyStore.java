package io.mlhub.hub.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Reads and writes {@code ssh_keys}. A key belongs to at most one user, because it identifies them at the SSH port. */
public final class SshKeyStore {
    private static final String COLUMNS = "id, user_id, key_type, public_key, comment, fingerprint, created";

    private final Jdbi jdbi;

    public SshKeyStore(Database database) {
        this.jdbi = database.jdbi();
        jdbi.registerRowMapper(ConstructorMapper.factory(SshKeyRecord.class));
    }

    /**
     * Inserts a key.
     *
     * @throws DuplicateException when the key is already registered, for this or another user
     */
    public SshKeyRecord add(long userId, String keyType, String publicKey, String comment, String fingerprint) {
        Instant now = Database.truncate(Instant.now());
        long id = SqlErrors.uniquely("SSH key " + fingerprint + " is already registered",
                () -> jdbi.withHandle(h -> h.createUpdate("INSERT INTO ssh_keys (user_id, key_type, public_key, "
                                + "comment, fingerprint, created) VALUES (:user, :type, :key, :comment, :fp, :now)")
                        .bind("user", userId)
                        .bind("type", keyType)
                        .bind("key", publicKey)
                        .bind("comment", comment)
                        .bind("fp", fingerprint)
                        .bind("now", now)
                        .executeAndReturnGeneratedKeys("id")
                        .mapTo(Long.class)
                        .one()));
        return new SshKeyRecord(id, userId, keyType, publicKey, comment, fingerprint, now);
    }

    public List<SshKeyRecord> list(long userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM ssh_keys WHERE user_id = :user "
                        + "ORDER BY id")
                .bind("user", userId)
                .mapTo(SshKeyRecord.class)
                .list());
    }

    /** Returns the key with this fingerprint, of any user. */
    public Optional<SshKeyRecord> findByFingerprint(String fingerprint) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM ssh_keys WHERE fingerprint = :fp")
                .bind("fp", fingerprint)
                .mapTo(SshKeyRecord.class)
                .findOne());
    }

    /** Deletes one of a user's keys by id or fingerprint; returns whether it existed. */
    public boolean delete(long userId, String idOrFingerprint) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM ssh_keys WHERE user_id = :user "
                        + "AND (fingerprint = :key OR CAST(id AS VARCHAR(32)) = :key)")
                .bind("user", userId)
                .bind("key", idOrFingerprint)
                .execute()) > 0;
    }
}
