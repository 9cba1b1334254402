package io.mlhub.hub.auth;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.store.TokenRecord;
import io.mlhub.hub.store.UserRecord;

/**
 * An authenticated request's user and what its credential allows.
 *
 * @param user the user the credential belongs to
 * @param credential the session, API token or OAuth token that authenticated the request
 * @param scopes the credential's scopes, already limited to what the user has now
 * @param viaCookie whether the session cookie authenticated the request, so that XSRF rules apply
 * @param sessionSecret the session cookie's value when {@code viaCookie}, else {@code ""}
 */
public record Caller(UserRecord user, TokenRecord credential, Scopes scopes, boolean viaCookie, String sessionSecret) {
    public Caller {
        requireNonNull(user, "user");
        requireNonNull(credential, "credential");
        requireNonNull(scopes, "scopes");
        requireNonNull(sessionSecret, "sessionSecret");
    }

    public String name() {
        return user.name();
    }
}
