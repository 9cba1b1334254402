package io.mlhub.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathRouteTableTest {

    private static Route route(String prefix) {
        return new Route(prefix, URI.create("http://127.0.0.1:8888"), null, null, Map.of());
    }

    private static @Nullable String matchedPrefix(RouteTable table, String path) {
        Route route = table.match(RouteKeys.canonical(path));
        return route == null ? null : route.prefix();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "/a             | /a",
        "/a/            | /a",
        "/a/x/y         | /a",
        "/a/b           | /a/b",
        "/a/b/c         | /a/b",
        "/a/bc          | /a",
        "/ab            | none",
        "/A/b           | none",
        "/x/../a/b/q    | /a/b",
        "/a%2Fb/x       | none",
        "/user/alice/x  | /user/alice",
        "/user/alice%2Fx| /user",
        "/user/alic     | /user",
        "/host.test/app | /host.test",
    })
    void longestSegmentPrefixWins(String path, String expected) {
        PathRouteTable table = new PathRouteTable();
        for (String prefix : List.of("/a", "/a/b", "/user", "/user/alice", "/host.test")) {
            table.put(route(prefix));
        }

        assertThat(matchedPrefix(table, path)).isEqualTo(expected);
    }

    @Test
    void rootRouteMatchesEverything() {
        PathRouteTable table = new PathRouteTable();
        table.put(route("/"));
        table.put(route("/a"));

        assertThat(matchedPrefix(table, "/")).isEqualTo("/");
        assertThat(matchedPrefix(table, "/b/c")).isEqualTo("/");
        assertThat(matchedPrefix(table, "/a/c")).isEqualTo("/a");
    }

    @Test
    void removingARouteLeavesShorterMatches() {
        PathRouteTable table = new PathRouteTable();
        table.put(route("/a"));
        table.put(route("/a/b"));

        assertThat(table.remove("/a/b")).isTrue();
        assertThat(table.remove("/a/b")).isFalse();
        assertThat(table.remove("/nope")).isFalse();

        assertThat(matchedPrefix(table, "/a/b/c")).isEqualTo("/a");
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.get("/a/b")).isNull();
    }

    @Test
    void removingTheLastRouteEmptiesTheTable() {
        PathRouteTable table = new PathRouteTable();
        table.put(route("/a/b/c"));

        table.remove("/a/b/c");

        assertThat(table.size()).isZero();
        assertThat(table.all()).isEmpty();
        assertThat(matchedPrefix(table, "/a/b/c")).isNull();
    }

    @Test
    void putReplacesTheRouteOfAPrefix() {
        PathRouteTable table = new PathRouteTable();
        table.put(route("/a"));
        Route replacement = new Route("/a", URI.create("http://127.0.0.1:9999"), "alice", "", Map.of("k", 1));

        table.put(replacement);

        assertThat(table.size()).isEqualTo(1);
        assertThat(table.get("/a")).isEqualTo(replacement);
    }

    @Test
    void nonCanonicalPrefixIsRejected() {
        PathRouteTable table = new PathRouteTable();

        assertThatIllegalArgumentException().isThrownBy(() -> table.put(route("/a/")));
        assertThatIllegalArgumentException().isThrownBy(() -> table.put(route("/%61")));
        assertThatIllegalArgumentException().isThrownBy(() -> table.put(route("/a/../b")));
    }

    @Test
    void manyChildrenStayReachable() {
        PathRouteTable table = new PathRouteTable();
        for (int i = 0; i < 5000; i++) {
            table.put(route("/user/u" + i));
        }
        for (int i = 0; i < 5000; i += 2) {
            table.remove("/user/u" + i);
        }

        assertThat(table.size()).isEqualTo(2500);
        for (int i = 0; i < 5000; i++) {
            String expected = i % 2 == 0 ? null : "/user/u" + i;
            assertThat(matchedPrefix(table, "/user/u" + i + "/lab")).isEqualTo(expected);
        }
        assertThat(table.all()).hasSize(2500);
    }

    @Test
    void touchMovesLastActivityForward() throws Exception {
        PathRouteTable table = new PathRouteTable();
        table.put(route("/a"));
        Instant added = table.lastActivity("/a");

        Thread.sleep(5);
        table.touch("/a");
        table.touch("/unknown");

        assertThat(table.lastActivity("/a")).isAfter(added);
        assertThat(table.lastActivity("/unknown")).isNull();
    }

    @Test
    void lookupsDuringWritesSeeConsistentRoutes() throws Exception {
        PathRouteTable table = new PathRouteTable();
        table.put(route("/stable"));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<String> problem = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                while (running.get()) {
                    Route found = table.match("/stable/x");
                    if (found == null || !found.prefix().equals("/stable")) {
                        problem.set("lost /stable: " + found);
                    }
                }
            }));
        }

        for (int i = 0; i < 20_000; i++) {
            table.put(route("/churn" + (i % 100) + "/s" + i));
            if (i >= 50) {
                table.remove("/churn" + ((i - 50) % 100) + "/s" + (i - 50));
            }
        }
        running.set(false);
        for (Thread reader : readers) {
            reader.join();
        }

        assertThat(problem.get()).isNull();
        assertThat(table.size()).isEqualTo(51);
    }
}
