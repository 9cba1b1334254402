package io.mlhub.hub.auth;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.HubException;
import io.mlhub.hub.store.HubStore;
import io.mlhub.hub.store.TokenKind;
import io.mlhub.hub.store.TokenRecord;
import io.mlhub.hub.store.TokenStore.NewToken;
import io.mlhub.hub.store.UserRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues, resolves and revokes login sessions and API tokens. Secrets are returned once, at creation; only their
 * SHA-256 digests are stored. A token's scopes are limited at every use to what its owner has at that moment,
 * so an admin who loses admin rights loses them on every token too.
 */
public final class CredentialService {
    private static final Logger logger = LoggerFactory.getLogger(CredentialService.class);
    /** Stored scope string of a token that has all of its owner's scopes. */
    public static final String INHERIT = "inherit";
    /** Minimum time between two writes of a credential's last activity. */
    private static final Duration ACTIVITY_GRANULARITY = Duration.ofSeconds(30);

    private final HubStore store;
    private final Duration sessionMaxAge;
    private final List<CredentialListener> listeners = new CopyOnWriteArrayList<>();

    public CredentialService(HubStore store, Duration sessionMaxAge) {
        this.store = requireNonNull(store, "store");
        this.sessionMaxAge = requireNonNull(sessionMaxAge, "sessionMaxAge");
    }

    /** A new credential: the secret to hand out once and its stored record. */
    public record Issued(String secret, TokenRecord record) {}

    public void addListener(CredentialListener listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    /** Tells the listeners that credentials of {@code user} may have changed. */
    public void invalidate(String user) {
        for (CredentialListener listener : listeners) {
            try {
                listener.invalidated(user);
            } catch (RuntimeException e) {
                logger.warn("credential listener failed user={} listener={}", user, listener, e);
            }
        }
    }

    /** Starts a login session for {@code user}. */
    public Issued createSession(UserRecord user) {
        String secret = Secrets.newToken();
        TokenRecord record = store.tokens().insert(new NewToken(user.id(), TokenKind.SESSION, Secrets.sha256(secret),
                secret.substring(0, 4), INHERIT, "login session", null, null, null,
                Instant.now().plus(sessionMaxAge)));
        return new Issued(secret, record);
    }

    /**
     * Creates an API token for {@code owner}.
     *
     * @param requestedScopes scope names, or {@code null} for all of the owner's scopes
     * @param expiresIn lifetime, or {@code null} for a token that does not expire
     * @throws HubException 400 for an unknown scope, 403 for a scope the owner does not hold
     */
    public Issued createToken(UserRecord owner, String note, @Nullable Collection<String> requestedScopes,
            @Nullable Duration expiresIn) {
        String scopes = INHERIT;
        if (requestedScopes != null && !(requestedScopes.size() == 1 && requestedScopes.contains(INHERIT))) {
            Scopes parsed = parseRequested(owner, requestedScopes);
            Scopes held = Scopes.ofUser(owner.name(), owner.isAdmin());
            if (!held.coversAll(parsed)) {
                throw HubException.forbidden("Not assigning requested scopes " + requestedScopes
                        + " not held by " + owner.name());
            }
            scopes = String.join(" ", requestedScopes);
        }
        Instant expiresAt = expiresIn == null ? null : Instant.now().plus(expiresIn);
        return issue(new NewToken(owner.id(), TokenKind.API, "", "", scopes, note, null, null, null, expiresAt));
    }

    /** Creates the API token a server uses for activity reports and as its OAuth client secret. */
    public Issued createServerToken(UserRecord owner, String server, String note) {
        String scopes = String.join(" ", Scopes.ofServer(owner.name(), server).sorted());
        return issue(new NewToken(owner.id(), TokenKind.API, "", "", scopes, note, null, null, server, null));
    }

    /** Creates an OAuth access token, bound to the login session it was granted in. */
    public Issued createOAuthToken(UserRecord owner, String scopes, @Nullable Long sessionId, String clientId,
            Duration lifetime) {
        return issue(new NewToken(owner.id(), TokenKind.OAUTH, "", "", scopes, "", sessionId, clientId, null,
                Instant.now().plus(lifetime)));
    }

    private Issued issue(NewToken template) {
        String secret = Secrets.newToken();
        NewToken token = new NewToken(template.userId(), template.kind(), Secrets.sha256(secret),
                secret.substring(0, 4), template.scopes(), template.note(), template.sessionId(),
                template.oauthClient(), template.serverName(), template.expiresAt());
        return new Issued(secret, store.tokens().insert(token));
    }

    /** Resolves a session cookie; an unknown or expired session resolves to nothing. */
    public Optional<Caller> resolveSession(String secret) {
        return resolve(secret, true).filter(c -> c.credential().kind() == TokenKind.SESSION);
    }

    /** Resolves an API or OAuth token; sessions, unknown and expired tokens resolve to nothing. */
    public Optional<Caller> resolveToken(String secret) {
        return resolve(secret, false).filter(c -> c.credential().kind() != TokenKind.SESSION);
    }

    private Optional<Caller> resolve(String secret, boolean viaCookie) {
        if (secret.isEmpty() || secret.length() > 256) {
            return Optional.empty();
        }
        Optional<TokenRecord> found = store.tokens().findByHash(Secrets.sha256(secret));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        TokenRecord token = found.get();
        Instant now = Instant.now();
        if (token.expiredAt(now)) {
            store.tokens().delete(token.id());
            return Optional.empty();
        }
        Optional<UserRecord> user = store.users().findById(token.userId());
        if (user.isEmpty()) {
            return Optional.empty();
        }
        if (token.lastActivity() == null || token.lastActivity().plus(ACTIVITY_GRANULARITY).isBefore(now)) {
            store.tokens().touch(token.id(), now);
        }
        return Optional.of(new Caller(user.get(), token, effectiveScopes(user.get(), token), viaCookie,
                viaCookie ? secret : ""));
    }

    /** Returns the token's scopes limited to what its owner has now. */
    public Scopes effectiveScopes(UserRecord owner, TokenRecord token) {
        Scopes held = Scopes.ofUser(owner.name(), owner.isAdmin());
        if (token.scopes().equals(INHERIT)) {
            return held;
        }
        try {
            List<String> names = Arrays.asList(token.scopes().split(" "));
            return expand(owner, names, token.serverName()).intersect(held);
        } catch (IllegalArgumentException e) {
            logger.warn("stored token has invalid scopes tokenId={} user={} reason={}", token.id(), owner.name(),
                    e.getMessage());
            return Scopes.parse(List.of(), owner.name(), null);
        }
    }

    /** Ends a login session; its OAuth tokens go with it. */
    public void endSession(Caller caller) {
        store.tokens().delete(caller.credential().id());
        invalidate(caller.name());
    }

    /**
     * Revokes one of a user's tokens. Revoking an OAuth token revokes every token of that user issued to the same
     * OAuth client, as JupyterHub does.
     */
    public boolean revoke(UserRecord owner, long tokenId) {
        Optional<TokenRecord> token = store.tokens().find(owner.id(), tokenId);
        if (token.isEmpty() || token.get().kind() == TokenKind.SESSION) {
            return false;
        }
        if (token.get().oauthClient() != null) {
            store.tokens().deleteForOAuthClient(owner.id(), token.get().oauthClient());
        } else {
            store.tokens().delete(tokenId);
        }
        invalidate(owner.name());
        return true;
    }

    private static Scopes parseRequested(UserRecord owner, Collection<String> requested) {
        for (String scope : requested) {
            if (scope == null || scope.isBlank() || scope.contains(" ")) {
                throw HubException.badRequest("Invalid scopes: " + requested);
            }
        }
        try {
            return expand(owner, requested, null);
        } catch (IllegalArgumentException e) {
            throw HubException.badRequest("Invalid scopes: " + e.getMessage());
        }
    }

    /** Expands scope names; {@code self} stands for the owner's own user scopes. */
    private static Scopes expand(UserRecord owner, Collection<String> names, @Nullable String server) {
        List<String> resolved = names.stream()
                .flatMap(s -> s.equals("self") ? Scopes.ofUser(owner.name(), false).sorted().stream()
                        : java.util.stream.Stream.of(s))
                .toList();
        return Scopes.parse(resolved, owner.name(), server);
    }
}
