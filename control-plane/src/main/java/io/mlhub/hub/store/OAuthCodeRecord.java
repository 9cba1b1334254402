package io.mlhub.hub.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** One row of {@code oauth_codes}: an authorization code, valid once until {@code expiresAt}. */
public record OAuthCodeRecord(
        String codeHash,
        String clientId,
        long userId,
        @Nullable Long sessionId,
        String scopes,
        String redirectUri,
        Instant expiresAt) {}
