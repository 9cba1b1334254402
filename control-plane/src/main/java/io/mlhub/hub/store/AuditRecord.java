package io.mlhub.hub.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One row of {@code audit_log}: who did what to which target. */
public record AuditRecord(long id, Instant at, @Nullable String actor, String action, String target, String detail) {}
