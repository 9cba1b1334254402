package io.mlhub.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Heavy add and remove churn in {@link PathRouteTable}: many siblings under one node, so that child tables fill
 * with tombstones, grow, shrink and are rebuilt while readers look up routes without a lock.
 */
class PathRouteTableChurnTest {
    private static final int STABLE = 2_000;
    private static final int CHURN_KEYS = 3_000;

    private static Route route(String prefix, int port) {
        return new Route(prefix, URI.create("http://127.0.0.1:" + port), null, null, Map.of());
    }

    @Test
    void randomChangesMatchAReferenceMap() {
        PathRouteTable table = new PathRouteTable();
        Map<String, Route> expected = new HashMap<>();
        SplittableRandom random = new SplittableRandom(20261204L);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            keys.add(i % 5 == 4 ? "/user/u" + i + "/nb" + (i % 3) : "/user/u" + i);
        }

        for (int step = 0; step < 60_000; step++) {
            String prefix = keys.get(random.nextInt(phaseSize(step, keys.size())));
            if (random.nextInt(100) < addPercent(step)) {
                Route route = route(prefix, 20_000 + step % 40_000);
                table.put(route);
                expected.put(prefix, route);
            } else {
                assertThat(table.remove(prefix)).as("remove %s at step %d", prefix, step)
                        .isEqualTo(expected.remove(prefix) != null);
            }
            if (step % 5_000 == 4_999) {
                assertSameRoutes(table, expected, keys);
            }
        }

        for (String prefix : keys) {
            table.remove(prefix);
        }
        assertThat(table.size()).isZero();
        assertThat(table.all()).isEmpty();
        assertThat(table.match("/user/u1/lab")).isNull();
    }

    /** Grows the table in the first third, churns it in the second, and empties most of it in the last. */
    private static int addPercent(int step) {
        if (step < 20_000) {
            return 80;
        }
        if (step < 40_000) {
            return 50;
        }
        return 15;
    }

    /** Uses a narrow key range early on, so that one node gets many removals of keys added moments before. */
    private static int phaseSize(int step, int keys) {
        return step < 10_000 ? keys / 8 : keys;
    }

    private static void assertSameRoutes(PathRouteTable table, Map<String, Route> expected, List<String> keys) {
        assertThat(table.size()).isEqualTo(expected.size());
        assertThat(new HashSet<>(table.all())).isEqualTo(new HashSet<>(expected.values()));

        List<String> wrong = new ArrayList<>();
        for (String prefix : keys) {
            Route route = expected.get(prefix);
            if (!Objects.equals(table.get(prefix), route)) {
                wrong.add("get " + prefix + ": " + table.get(prefix));
            }
            if (route != null && !route.equals(table.match(prefix + "/lab/tree"))) {
                wrong.add("match below " + prefix + ": " + table.match(prefix + "/lab/tree"));
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void readersNeverLoseStableRoutesDuringChurn() throws Exception {
        PathRouteTable table = new PathRouteTable();
        Route user = route("/user", 8081);
        table.put(user);
        for (int i = 0; i < STABLE; i++) {
            table.put(route("/user/s" + i, 30_000 + i));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong lookups = new AtomicLong();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            long seed = r;
            readers.add(Thread.ofPlatform().start(() -> readUntilStopped(table, seed, running, lookups, problems)));
        }

        churn(table, 200_000);
        running.set(false);
        for (Thread reader : readers) {
            reader.join();
        }

        assertThat(problems).as("wrong lookups out of %d", lookups.get()).isEmpty();
        assertThat(lookups.get()).isPositive();
        assertThat(table.size()).isEqualTo(STABLE + 1);
        for (int i = 0; i < STABLE; i++) {
            assertThat(table.match("/user/s" + i + "/api")).isNotNull()
                    .extracting(Route::prefix).isEqualTo("/user/s" + i);
        }
        assertThat(table.match("/user/c0/api")).isEqualTo(user);
    }

    /** Adds and removes {@code /user/cN} routes so that about 500 exist at a time, then removes all of them. */
    private static void churn(PathRouteTable table, int changes) {
        for (int i = 0; i < changes; i++) {
            table.put(route("/user/c" + (i % CHURN_KEYS), 40_000 + i % 20_000));
            if (i >= 500) {
                table.remove("/user/c" + ((i - 500) % CHURN_KEYS));
            }
        }
        for (int i = 0; i < CHURN_KEYS; i++) {
            table.remove("/user/c" + i);
        }
    }

    /** Checks that a stable route always matches, and that a churned path matches its own route or {@code /user}. */
    private static void readUntilStopped(PathRouteTable table, long seed, AtomicBoolean running, AtomicLong lookups,
            ConcurrentLinkedQueue<String> problems) {
        SplittableRandom random = new SplittableRandom(seed);
        long count = 0;
        while (running.get() && problems.size() < 10) {
            String stable = "/user/s" + random.nextInt(STABLE);
            Route found = table.match(stable + "/lab");
            if (found == null || !found.prefix().equals(stable)) {
                problems.add("lost " + stable + ": " + found);
            }

            String churned = "/user/c" + random.nextInt(CHURN_KEYS);
            Route other = table.match(churned + "/lab");
            if (other == null || !(other.prefix().equals(churned) || other.prefix().equals("/user"))) {
                problems.add("wrong route for " + churned + ": " + other);
            }
            count += 2;
        }
        lookups.addAndGet(count);
    }
}
