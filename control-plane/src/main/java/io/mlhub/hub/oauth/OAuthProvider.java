package io.mlhub.hub.oauth;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.HubException;
import io.mlhub.hub.auth.Caller;
import io.mlhub.hub.auth.CredentialService;
import io.mlhub.hub.auth.CredentialService.Issued;
import io.mlhub.hub.auth.Secrets;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.OAuthClientRecord;
import io.mlhub.hub.store.OAuthCodeRecord;
import io.mlhub.hub.store.UserRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OAuth 2 authorization-code provider that {@code jupyterhub-singleuser} logs users in through. Each server has
 * its own client, whose secret is the server's API token. Codes live five minutes and work once. Access tokens
 * are API tokens of the user, bound to the login session, and live 14 days.
 */
public final class OAuthProvider {
    private static final Logger logger = LoggerFactory.getLogger(OAuthProvider.class);
    private static final Duration CODE_LIFETIME = Duration.ofMinutes(5);
    /** Lifetime of access tokens, JupyterHub's default. */
    public static final Duration TOKEN_LIFETIME = Duration.ofDays(14);

    private final HubStore store;
    private final CredentialService credentials;

    public OAuthProvider(HubStore store, CredentialService credentials) {
        this.store = requireNonNull(store, "store");
        this.credentials = requireNonNull(credentials, "credentials");
    }

    /** Returns the OAuth client id of a server, as JupyterHub names it. */
    public static String clientId(String user, String server) {
        return "jupyterhub-user-" + user + (server.isEmpty() ? "" : "-" + server);
    }

    /** Registers or updates the client of a server, with {@code serverToken} as its secret. */
    public OAuthClientRecord registerClient(UserRecord user, String server, String prefix, String serverToken) {
        OAuthClientRecord client = new OAuthClientRecord(clientId(user.name(), server), Secrets.sha256(serverToken),
                prefix + "oauth_callback", "Server at " + prefix, user.id(), server, Instant.now());
        store.oauth().putClient(client);
        return client;
    }

    /** Removes a server's client and every access token issued to it. */
    public void removeClient(String user, String server) {
        String id = clientId(user, server);
        store.tokens().deleteAllForClient(id);
        store.oauth().deleteClient(id);
    }

    /** The outcome of an authorization request. */
    public sealed interface Authorization {
        /** Redirect the browser to this URL. */
        record Redirect(String location) implements Authorization {}

        /** Show an error page with this status; never redirect to an unverified URI. */
        record Error(int status, String message) implements Authorization {}
    }

    /**
     * Handles {@code GET /hub/api/oauth2/authorize} for a logged-in user.
     *
     * @param state echoed unchanged to the client
     */
    public Authorization authorize(Caller caller, String clientId, String redirectUri, String responseType,
            String state) {
        Optional<OAuthClientRecord> found = clientId == null ? Optional.empty() : store.oauth().findClient(clientId);
        if (found.isEmpty()) {
            return new Authorization.Error(400, "Unknown OAuth client " + clientId);
        }
        OAuthClientRecord client = found.get();
        if (redirectUri != null && !redirectUri.isEmpty() && !redirectUri.equals(client.redirectUri())) {
            return new Authorization.Error(400, "redirect_uri does not match the one registered for " + clientId);
        }
        if (!"code".equals(responseType)) {
            return new Authorization.Redirect(withQuery(client.redirectUri(), "error=invalid_request"
                    + "&error_description=" + encode("response_type must be code") + stateParam(state)));
        }
        UserRecord owner = store.users().findById(client.userId()).orElse(null);
        if (owner == null) {
            return new Authorization.Error(400, "Unknown OAuth client " + clientId);
        }
        if (!caller.scopes().allows("access:servers", owner.name(), client.serverName())) {
            return new Authorization.Error(403, "You do not have permission to access " + client.description());
        }
        String code = Secrets.newToken();
        String scopes = String.join(" ", grantedScopes(caller.name(), owner.name(), client.serverName()));
        store.oauth().insertCode(new OAuthCodeRecord(Secrets.sha256(code), clientId, caller.user().id(),
                caller.credential().id(), scopes, client.redirectUri(), Instant.now().plus(CODE_LIFETIME)));
        logger.info("oauth code issued user={} client={}", caller.name(), clientId);
        return new Authorization.Redirect(withQuery(client.redirectUri(), "code=" + code + stateParam(state)));
    }

    /** An access-token response, or an OAuth error with its status. */
    public record TokenResult(int status, String error, String accessToken, String scope) {}

    /** Handles {@code POST /hub/api/oauth2/token}; only the {@code authorization_code} grant exists. */
    public TokenResult exchange(String grantType, String code, String clientId, String clientSecret,
            String redirectUri) {
        Optional<OAuthClientRecord> client = clientId == null ? Optional.empty() : store.oauth().findClient(clientId);
        if (client.isEmpty() || clientSecret == null
                || !Secrets.constantTimeEquals(Secrets.sha256(clientSecret), client.get().secretHash())) {
            return new TokenResult(401, "invalid_client", "", "");
        }
        if (!"authorization_code".equals(grantType)) {
            return new TokenResult(400, "unsupported_grant_type", "", "");
        }
        Optional<OAuthCodeRecord> taken = code == null ? Optional.empty()
                : store.oauth().takeCode(Secrets.sha256(code));
        if (taken.isEmpty() || !taken.get().clientId().equals(clientId)
                || !Instant.now().isBefore(taken.get().expiresAt())) {
            return new TokenResult(400, "invalid_grant", "", "");
        }
        if (redirectUri != null && !redirectUri.equals(taken.get().redirectUri())) {
            return new TokenResult(400, "invalid_grant", "", "");
        }
        UserRecord user = store.users().findById(taken.get().userId()).orElse(null);
        if (user == null) {
            return new TokenResult(400, "invalid_grant", "", "");
        }
        Issued token = credentials.createOAuthToken(user, taken.get().scopes(), taken.get().sessionId(), clientId,
                TOKEN_LIFETIME);
        logger.info("oauth token issued user={} client={} id=a{}", user.name(), clientId, token.record().id());
        return new TokenResult(200, "", token.secret(), taken.get().scopes());
    }

    private static List<String> grantedScopes(String user, String owner, String server) {
        TreeSet<String> scopes = new TreeSet<>();
        scopes.add("access:servers!server=" + owner + "/" + server);
        scopes.add("read:users:groups!user=" + user);
        scopes.add("read:users:name!user=" + user);
        return List.copyOf(scopes);
    }

    private static String stateParam(String state) {
        return state == null ? "" : "&state=" + encode(state);
    }

    private static String withQuery(String uri, String query) {
        return uri + (uri.contains("?") ? "&" : "?") + query;
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Checks that a caller may use the authorize endpoint at all. */
    static void requireSession(Caller caller) {
        if (!caller.viaCookie()) {
            throw HubException.forbidden("OAuth authorization needs a login session");
        }
    }
}
