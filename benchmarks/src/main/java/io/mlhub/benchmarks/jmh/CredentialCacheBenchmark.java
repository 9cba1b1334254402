package io.mlhub.benchmarks.jmh;

import io.mlhub.proxy.auth.CachingCredentialResolver;
import io.mlhub.proxy.auth.CredentialResolver;
import io.mlhub.proxy.auth.Identity;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The edge check's cached credential resolution: {@link CachingCredentialResolver} (Caffeine, 10,000 entries per
 * credential kind, 30 s expiry, the proxy's defaults) in front of an in-memory resolver, with API tokens drawn
 * with Zipf skew from 1,000 or 100,000 distinct tokens. With 100,000 the cache cannot hold them all, so some
 * lookups miss.
 *
 * <ul>
 *   <li>{@code cachedToken}: the event loop's path: a cache read that never calls the resolver, returning
 *       {@code null} on a miss.
 *   <li>{@code resolveToken}: a read that loads a miss from the resolver on the calling thread.
 * </ul>
 *
 * <p>Run: {@code mvn -B -q -pl benchmarks -am package -DskipTests && java -jar benchmarks/target/benchmarks.jar
 * CredentialCacheBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CredentialCacheBenchmark {
    private static final int KEYS = 1 << 16;
    private static final int MASK = KEYS - 1;

    @Param({"1000", "100000"})
    int tokens;

    private CachingCredentialResolver cache;
    private String[] keys;
    private int index;

    @Setup
    public void setUp() {
        Map<String, Identity> identities = new HashMap<>();
        for (int i = 0; i < tokens; i++) {
            identities.put(token(i), new Identity("u" + i, i % 100 == 0, Set.of()));
        }
        CredentialResolver store = new CredentialResolver() {
            @Override
            public @Nullable Identity resolveSession(String sessionCookie) {
                return null;
            }

            @Override
            public @Nullable Identity resolveToken(String token) {
                return identities.get(token);
            }
        };
        // A same-thread executor keeps the loads out of the fork-join pool, so only the caller's thread runs.
        cache = new CachingCredentialResolver(store, Duration.ofSeconds(30), 10_000, Runnable::run);

        Zipf zipf = new Zipf(tokens, 0.99, 11);
        int[] order = Zipf.shuffled(tokens, 12);
        keys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = token(order[zipf.next()]);
            cache.resolveToken(keys[i]);
        }
    }

    private static String token(int i) {
        return String.format("%032x", (long) i * 0x9E3779B97F4A7C15L);
    }

    @Benchmark
    public @Nullable Optional<Identity> cachedToken() {
        return cache.cachedToken(keys[index++ & MASK]);
    }

    @Benchmark
    public @Nullable Identity resolveToken() {
        return cache.resolveToken(keys[index++ & MASK]);
    }
}
