package io.mlhub.hub.store;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jspecify.annotations.Nullable;

/** Appends to and reads {@code audit_log}. Entries never hold secrets. */
public final class AuditLog {
    private final Jdbi jdbi;

    public AuditLog(Database database) {
        this.jdbi = database.jdbi();
        jdbi.registerRowMapper(ConstructorMapper.factory(AuditRecord.class));
    }

    /** Records that {@code actor} (or the hub itself when {@code null}) did {@code action} to {@code target}. */
    public void record(@Nullable String actor, String action, String target, String detail) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO audit_log (at, actor, action, target, detail) "
                        + "VALUES (:at, :actor, :action, :target, :detail)")
                .bind("at", Instant.now())
                .bind("actor", actor)
                .bind("action", action)
                .bind("target", target)
                .bind("detail", detail.length() > 4000 ? detail.substring(0, 4000) : detail)
                .execute());
    }

    /** Returns the newest entries first. */
    public List<AuditRecord> latest(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, at, actor, action, target, detail FROM audit_log "
                        + "ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit)
                .mapTo(AuditRecord.class)
                .list());
    }
}
