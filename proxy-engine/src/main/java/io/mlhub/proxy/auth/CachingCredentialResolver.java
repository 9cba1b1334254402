package io.mlhub.proxy.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CredentialResolver} in front of another one, with a bounded Caffeine cache per credential kind whose
 * entries expire after a short time.
 *
 * <p>The proxy asks {@link #cachedSession}/{@link #cachedToken} on the event loop first: a hit never leaves the
 * event loop. On a miss it calls {@link #resolveSessionAsync}/{@link #resolveTokenAsync}, which run the delegate on
 * the executor given here; concurrent misses for the same credential share one call. Unknown credentials are
 * cached as well (as an empty result), so a client repeating a bad token does not reach the delegate each time.
 * A delegate that throws caches nothing.
 *
 * <p>The control plane calls the {@code invalidate*} methods on logout, token revocation, user deletion and any
 * change of a user's admin flag or grants, so that the change takes effect before the entry expires.
 */
public final class CachingCredentialResolver implements CredentialResolver {
    private static final String CACHE_NAME = "mlhub.proxy.credentials";

    private final AsyncLoadingCache<String, Optional<Identity>> sessions;
    private final AsyncLoadingCache<String, Optional<Identity>> tokens;

    /**
     * Creates a cache in front of {@code delegate}.
     *
     * @param expiry how long a result is kept after it was resolved
     * @param maximumSize maximum number of entries per credential kind
     * @param executor where the delegate runs; it may block there
     */
    public CachingCredentialResolver(CredentialResolver delegate, Duration expiry, long maximumSize, Executor executor) {
        requireNonNull(delegate, "delegate");
        requireNonNull(expiry, "expiry");
        requireNonNull(executor, "executor");
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("expiry: " + expiry + " (expected: > 0)");
        }
        if (maximumSize <= 0) {
            throw new IllegalArgumentException("maximumSize: " + maximumSize + " (expected: > 0)");
        }

        this.sessions = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(expiry)
                .executor(executor)
                .recordStats()
                .buildAsync(cookie -> Optional.ofNullable(delegate.resolveSession(cookie)));
        this.tokens = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .expireAfterWrite(expiry)
                .executor(executor)
                .recordStats()
                .buildAsync(token -> Optional.ofNullable(delegate.resolveToken(token)));
    }

    /** Resolves through the cache, blocking the calling thread on a miss. */
    @Override
    public @Nullable Identity resolveSession(String sessionCookie) {
        return resolveSessionAsync(sessionCookie).join().orElse(null);
    }

    /** Resolves through the cache, blocking the calling thread on a miss. */
    @Override
    public @Nullable Identity resolveToken(String token) {
        return resolveTokenAsync(token).join().orElse(null);
    }

    /**
     * Returns the cached result for a session cookie without calling the delegate: {@code null} when the cache has
     * no finished result, an empty optional when the cookie is known to be invalid.
     */
    public @Nullable Optional<Identity> cachedSession(String sessionCookie) {
        return finished(sessions.getIfPresent(sessionCookie));
    }

    /** Returns the cached result for an API token without calling the delegate, as {@link #cachedSession} does. */
    public @Nullable Optional<Identity> cachedToken(String token) {
        return finished(tokens.getIfPresent(token));
    }

    /** Resolves a session cookie, running the delegate on the executor when the cache has no result. */
    public CompletableFuture<Optional<Identity>> resolveSessionAsync(String sessionCookie) {
        return sessions.get(requireNonNull(sessionCookie, "sessionCookie"));
    }

    /** Resolves an API token, running the delegate on the executor when the cache has no result. */
    public CompletableFuture<Optional<Identity>> resolveTokenAsync(String token) {
        return tokens.get(requireNonNull(token, "token"));
    }

    /** Removes a session cookie from the cache, after logout. */
    public void invalidateSession(String sessionCookie) {
        sessions.synchronous().invalidate(sessionCookie);
    }

    /** Removes an API token from the cache, after revocation. */
    public void invalidateToken(String token) {
        tokens.synchronous().invalidate(token);
    }

    /**
     * Removes every cached credential of a user, after the user was deleted or lost the admin flag or a grant.
     * This scans the cache, which is fine for such rare events.
     */
    public void invalidateUser(String user) {
        requireNonNull(user, "user");
        sessions.synchronous().asMap().values().removeIf(identity -> belongsTo(identity, user));
        tokens.synchronous().asMap().values().removeIf(identity -> belongsTo(identity, user));
    }

    /** Removes every entry. */
    public void invalidateAll() {
        sessions.synchronous().invalidateAll();
        tokens.synchronous().invalidateAll();
    }

    /**
     * Registers the statistics of both caches (Micrometer's {@code cache.*} meters, tagged
     * {@code cache=mlhub.proxy.credentials} and {@code kind=session} or {@code kind=token}).
     *
     * <p>NOTE: the proxy counts a miss twice, once for the lookup on the event loop and once for the load that
     * follows, so the miss count is twice the number of delegate calls.
     */
    public void bindTo(MeterRegistry registry) {
        CaffeineCacheMetrics.monitor(registry, sessions, CACHE_NAME, "kind", "session");
        CaffeineCacheMetrics.monitor(registry, tokens, CACHE_NAME, "kind", "token");
    }

    /** Returns the number of cached entries of both kinds, which is approximate while entries expire. */
    public long estimatedSize() {
        return sessions.synchronous().estimatedSize() + tokens.synchronous().estimatedSize();
    }

    private static boolean belongsTo(Optional<Identity> identity, String user) {
        return identity.isPresent() && identity.get().user().equals(user);
    }

    private static @Nullable Optional<Identity> finished(@Nullable CompletableFuture<Optional<Identity>> future) {
        if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
            return null;
        }
        return future.join();
    }
}
