package io.mlhub.hub.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One row of {@code api_tokens}.
 *
 * @param tokenHash SHA-256 hex digest of the secret; the secret itself is never stored
 * @param prefix the first characters of the secret, to tell tokens apart in lists
 * @param scopes space-separated scopes; {@code inherit} means all of the owner's current scopes
 * @param sessionId the login session an OAuth token was issued in, or {@code null}
 * @param oauthClient the OAuth client id an OAuth token was issued to, or {@code null}
 * @param serverName the server a server token belongs to, or {@code null} for other tokens
 */
public record TokenRecord(
        long id,
        long userId,
        TokenKind kind,
        String tokenHash,
        String prefix,
        String scopes,
        String note,
        @Nullable Long sessionId,
        @Nullable String oauthClient,
        @Nullable String serverName,
        Instant created,
        @Nullable Instant expiresAt,
        @Nullable Instant lastActivity) {

    /** Returns whether the token has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
