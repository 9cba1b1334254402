package io.mlhub.hub.api;

import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Authentication result of a request, as {@link AuthFilter} found it.
 *
 * @param caller the authenticated caller, or {@code null} for an anonymous request
 * @param xsrfRejected whether a session cookie was ignored because the XSRF token was missing or wrong
 */
record RequestAuth(@Nullable Caller caller, boolean xsrfRejected) {
    static final String PROPERTY = "mlhub.auth";
    static final RequestAuth ANONYMOUS = new RequestAuth(null, false);

    static RequestAuth of(ContainerRequestContext request) {
        Object value = request.getProperty(PROPERTY);
        return value instanceof RequestAuth auth ? auth : ANONYMOUS;
    }

    Optional<Caller> optionalCaller() {
        return Optional.ofNullable(caller);
    }

    /**
     * Returns the caller if it has {@code scope} for {@code user} (and {@code server}), else throws 403 as
     * JupyterHub does, never 401.
     */
    Caller require(String scope, @Nullable String user, @Nullable String server) {
        Caller c = authenticated();
        if (!c.scopes().allows(scope, user, server)) {
            throw HubException.forbidden("Action is not authorized with current scopes; requires any of [" + scope
                    + "]");
        }
        return c;
    }

    /** Returns the caller if it has any of {@code scopes} for {@code user}. */
    Caller requireAny(@Nullable String user, String... scopes) {
        Caller c = authenticated();
        for (String scope : scopes) {
            if (c.scopes().allows(scope, user, null)) {
                return c;
            }
        }
        throw HubException.forbidden("Action is not authorized with current scopes; requires any of ["
                + String.join(", ", scopes) + "]");
    }

    /** Returns the caller, or throws 403 for an anonymous request. */
    Caller authenticated() {
        if (caller != null) {
            return caller;
        }
        if (xsrfRejected) {
            throw HubException.forbidden("XSRF token missing or invalid: send the _xsrf cookie's value in the "
                    + Cookies.XSRF_HEADER + " header or the _xsrf form field");
        }
        throw HubException.forbidden("Missing or invalid credentials.");
    }
}
