package io.mlhub.proxy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class CachingCredentialResolverTest {
    private static final Executor DIRECT = Runnable::run;

    private final Map<String, Identity> tokens = new ConcurrentHashMap<>();
    private final Map<String, Identity> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final CredentialResolver delegate = new CredentialResolver() {
        @Override
        public @Nullable Identity resolveSession(String sessionCookie) {
            calls.incrementAndGet();
            return sessions.get(sessionCookie);
        }

        @Override
        public @Nullable Identity resolveToken(String token) {
            calls.incrementAndGet();
            return tokens.get(token);
        }
    };

    private CachingCredentialResolver cache() {
        return new CachingCredentialResolver(delegate, Duration.ofMinutes(1), 100, DIRECT);
    }

    @Test
    void hitDoesNotReachTheDelegate() {
        tokens.put("t", new Identity("alice", false, Set.of()));
        CachingCredentialResolver cache = cache();

        assertThat(cache.cachedToken("t")).isNull();
        assertThat(cache.resolveToken("t")).isEqualTo(new Identity("alice", false, Set.of()));
        assertThat(cache.resolveToken("t")).isNotNull();
        assertThat(cache.cachedToken("t")).contains(new Identity("alice", false, Set.of()));
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void unknownCredentialIsCachedAsEmpty() {
        CachingCredentialResolver cache = cache();

        assertThat(cache.resolveSession("nope")).isNull();
        assertThat(cache.resolveSession("nope")).isNull();

        assertThat(cache.cachedSession("nope")).isEqualTo(Optional.empty());
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void invalidationForcesANewResolution() {
        tokens.put("t", new Identity("alice", false, Set.of()));
        sessions.put("s", new Identity("alice", false, Set.of()));
        sessions.put("other", new Identity("bob", false, Set.of()));
        CachingCredentialResolver cache = cache();
        cache.resolveToken("t");
        cache.resolveSession("s");
        cache.resolveSession("other");

        cache.invalidateUser("alice");

        assertThat(cache.cachedToken("t")).isNull();
        assertThat(cache.cachedSession("s")).isNull();
        assertThat(cache.cachedSession("other")).isPresent();

        cache.invalidateSession("other");
        assertThat(cache.cachedSession("other")).isNull();
        cache.resolveToken("t");
        cache.invalidateToken("t");
        assertThat(cache.cachedToken("t")).isNull();
    }

    @Test
    void failingDelegateCachesNothing() {
        CredentialResolver failing = new CredentialResolver() {
            @Override
            public @Nullable Identity resolveSession(String sessionCookie) {
                throw new IllegalStateException("down");
            }

            @Override
            public @Nullable Identity resolveToken(String token) {
                throw new IllegalStateException("down");
            }
        };
        CachingCredentialResolver cache = new CachingCredentialResolver(failing, Duration.ofMinutes(1), 10, DIRECT);

        assertThat(cache.resolveTokenAsync("t")).isCompletedExceptionally();
        assertThat(cache.cachedToken("t")).isNull();
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new CachingCredentialResolver(delegate, Duration.ZERO, 10, DIRECT))
                .withMessage("expiry: PT0S (expected: > 0)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new CachingCredentialResolver(delegate, Duration.ofSeconds(1), 0, DIRECT))
                .withMessage("maximumSize: 0 (expected: > 0)");
    }

    @Test
    void accessPolicyAllowsOwnerAdminAndGrants() {
        Identity owner = new Identity("alice", false, Set.of());
        Identity admin = new Identity("root", true, Set.of());
        Identity granted = new Identity("carol", false, Set.of("alice/nb1", "dave/*", "erin/"));

        assertThat(AccessPolicy.allows(owner, "alice", "")).isTrue();
        assertThat(AccessPolicy.allows(owner, "bob", "")).isFalse();
        assertThat(AccessPolicy.allows(admin, "bob", "x")).isTrue();
        assertThat(AccessPolicy.allows(granted, "alice", "nb1")).isTrue();
        assertThat(AccessPolicy.allows(granted, "alice", "")).isFalse();
        assertThat(AccessPolicy.allows(granted, "dave", "any")).isTrue();
        assertThat(AccessPolicy.allows(granted, "erin", null)).isTrue();
        assertThat(AccessPolicy.allows(granted, "erin", "named")).isFalse();
    }
}
