package io.mlhub.hub.store;

import java.time.Instant;

/**
 * One row of {@code oauth_clients}: the OAuth client of one workspace.
 *
 * @param secretHash SHA-256 hex digest of the client secret, which is the server's API token
 */
public record OAuthClientRecord(
        String clientId,
        String secretHash,
        String redirectUri,
        String description,
        long userId,
        String serverName,
        Instant created) {}
