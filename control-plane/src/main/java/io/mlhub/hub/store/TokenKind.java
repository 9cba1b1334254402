package io.mlhub.hub.store;

/** What a row of {@code api_tokens} is. */
public enum TokenKind {
    /** An API token a user, an admin or the hub (for a server) created. */
    API,
    /** A browser login session; its secret is the session cookie. */
    SESSION,
    /** An access token issued by the OAuth provider to a workspace. */
    OAUTH
}
