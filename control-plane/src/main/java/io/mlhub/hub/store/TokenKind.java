package io.mlhub.hub.store;

/** Kind of a row of {@code api_tokens}. */
public enum TokenKind {
    /** An API token a user, an admin or the hub (for a server) created. */
    API,
    /** A browser login session; its secret is the session cookie. */
    SESSION,
    /** An access token issued by the OAuth provider to a workspace. */
    OAUTH
}
