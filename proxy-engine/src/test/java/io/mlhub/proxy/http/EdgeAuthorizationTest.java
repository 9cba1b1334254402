package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlhub.proxy.auth.CachingCredentialResolver;
import io.mlhub.proxy.auth.CredentialResolver;
import io.mlhub.proxy.auth.Identity;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The edge check over real sockets, with an in-memory credential resolver. */
class EdgeAuthorizationTest {
    private final PathRouteTable routes = new PathRouteTable();
    private final InMemoryResolver resolver = new InMemoryResolver();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EchoBackend workspace;
    private EchoBackend tool;
    private TestProxyServer server;

    @BeforeEach
    void start() throws Exception {
        workspace = new EchoBackend();
        tool = new EchoBackend();
        String target = "http://127.0.0.1:" + workspace.port();
        routes.put(new Route("/", URI.create(target), null, null, Map.of("hub", true)));
        routes.put(new Route("/user/alice", URI.create(target), "alice", "", Map.of()));
        routes.put(new Route("/user/alice/nb1", URI.create(target), "alice", "nb1", Map.of()));
        resolver.tokens.put("alice-token", new Identity("alice", false, Set.of()));
        resolver.tokens.put("bob-token", new Identity("bob", false, Set.of()));
        resolver.tokens.put("admin-token", new Identity("root", true, Set.of()));
        resolver.tokens.put("carol-token", new Identity("carol", false, Set.of("alice/nb1")));
        resolver.sessions.put("alice-session", new Identity("alice", false, Set.of()));
        HttpProxyConfig config = HttpProxyConfig.builder()
                .sessionCookieName("hub-session")
                .toolPorts(Set.of(tool.port()))
                .build();
        HttpProxy proxy = HttpProxy.builder(routes)
                .config(config)
                .credentialResolver(resolver)
                .meterRegistry(registry)
                .build();
        server = new TestProxyServer(proxy, 1);
    }

    @AfterEach
    void stop() {
        server.close();
        workspace.close();
        tool.close();
    }

    private RawHttpClient.Response get(String target, String headers) throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            return client.get(target, headers);
        }
    }

    @Test
    void browserWithoutCredentialsIsRedirectedToLogin() throws Exception {
        RawHttpClient.Response response = get("/user/alice/lab?x=1&y=a%20b", "Accept: text/html,*/*\r\n");

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("location")).isEqualTo("/hub/login?next=%2Fuser%2Falice%2Flab%3Fx%3D1%26y%3Da%2520b");
        assertThat(workspace.accepted.get()).isZero();
    }

    @Test
    void apiClientWithoutCredentialsGets401() throws Exception {
        RawHttpClient.Response response = get("/user/alice/api/status", "Accept: application/json\r\n");

        assertThat(response.status()).isEqualTo(401);
        assertThat(workspace.accepted.get()).isZero();
    }

    @Test
    void unknownTokenGets401AndBrowserWithUnknownCookieIsRedirected() throws Exception {
        RawHttpClient.Response token = get("/user/alice/", "Authorization: token nope\r\n");
        RawHttpClient.Response cookie = get("/user/alice/", "Accept: text/html\r\nCookie: hub-session=nope\r\n");

        assertThat(token.status()).isEqualTo(401);
        assertThat(cookie.status()).isEqualTo(302);
    }

    @Test
    void otherUserGets403() throws Exception {
        RawHttpClient.Response response = get("/user/alice/", "Authorization: token bob-token\r\n");

        assertThat(response.status()).isEqualTo(403);
        assertThat(workspace.accepted.get()).isZero();
    }

    @Test
    void ownerAdminAndGrantedUserAreForwarded() throws Exception {
        assertThat(get("/user/alice/x", "Authorization: token alice-token\r\n").status()).isEqualTo(200);
        assertThat(get("/user/alice/x", "Authorization: Bearer admin-token\r\n").status()).isEqualTo(200);
        assertThat(get("/user/alice/nb1/x", "Authorization: token carol-token\r\n").status()).isEqualTo(200);
        assertThat(get("/user/alice/x", "Authorization: token carol-token\r\n").status())
                .as("carol was granted nb1 only")
                .isEqualTo(403);
        assertThat(get("/user/alice/x", "Cookie: a=b; hub-session=alice-session; c=d\r\n").status())
                .isEqualTo(200);
    }

    @Test
    void routeWithoutOwnerSkipsTheCheck() throws Exception {
        RawHttpClient.Response response = get("/hub/home", "");

        assertThat(response.status()).isEqualTo(200);
        assertThat(resolver.calls.get()).isZero();
    }

    @Test
    void resolutionsAreCachedUntilInvalidated() throws Exception {
        CachingCredentialResolver cache = server.proxy().credentialCache();

        get("/user/alice/1", "Authorization: token alice-token\r\n");
        get("/user/alice/2", "Authorization: token alice-token\r\n");
        int afterTwo = resolver.calls.get();
        resolver.tokens.remove("alice-token");
        RawHttpClient.Response cached = get("/user/alice/3", "Authorization: token alice-token\r\n");
        cache.invalidateToken("alice-token");
        RawHttpClient.Response revoked = get("/user/alice/4", "Authorization: token alice-token\r\n");

        assertThat(afterTwo).isEqualTo(1);
        assertThat(cached.status()).isEqualTo(200);
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(resolver.calls.get()).isEqualTo(2);
        assertThat(registry.get("cache.gets").tags("kind", "token", "result", "hit").functionCounter().count())
                .as("hits of the second and third request")
                .isEqualTo(2.0);
    }

    @Test
    void invalidatingAUserForgetsItsSessions() throws Exception {
        CachingCredentialResolver cache = server.proxy().credentialCache();
        assertThat(get("/user/alice/x", "Cookie: hub-session=alice-session\r\n").status()).isEqualTo(200);

        resolver.sessions.put("alice-session", new Identity("alice-renamed", false, Set.of()));
        cache.invalidateUser("alice");

        assertThat(get("/user/alice/x", "Cookie: hub-session=alice-session\r\n").status()).isEqualTo(403);
    }

    @Test
    void slowResolverDoesNotBlockTheEventLoop() throws Exception {
        resolver.gate = new CountDownLatch(1);
        try (RawHttpClient waiting = new RawHttpClient(server.port())) {
            waiting.send("GET /user/alice/x HTTP/1.1\r\nHost: x\r\nAuthorization: token alice-token\r\n\r\n");

            // The proxy has a single event loop, so this response proves the resolver runs elsewhere.
            RawHttpClient.Response hub = get("/hub/home", "");
            resolver.gate.countDown();
            RawHttpClient.Response workspaceAnswer = waiting.readResponse(false);

            assertThat(hub.status()).isEqualTo(200);
            assertThat(workspaceAnswer.status()).isEqualTo(200);
        }
    }

    @Test
    void failingResolverGets503() throws Exception {
        resolver.failing = true;

        RawHttpClient.Response response = get("/user/alice/x", "Authorization: token alice-token\r\n");

        assertThat(response.status()).isEqualTo(503);
    }

    @Test
    void toolRouteReachesTheAllowedPortOnTheWorkspaceHost() throws Exception {
        String toolPath = "/user/alice/tools/" + tool.port();

        RawHttpClient.Response response = get(toolPath + "/app/x?y=1", "Authorization: token alice-token\r\n");
        RawHttpClient.Response root = get(toolPath, "Authorization: token alice-token\r\n");
        RawHttpClient.Response stranger = get(toolPath + "/app", "Authorization: token bob-token\r\n");
        RawHttpClient.Response otherPort = get("/user/alice/tools/1/app", "Authorization: token alice-token\r\n");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("x-echo-uri")).isEqualTo("/app/x?y=1");
        assertThat(response.header("x-echo-h-x-forwarded-prefix")).isEqualTo(toolPath);
        assertThat(root.header("x-echo-uri")).isEqualTo("/");
        assertThat(stranger.status()).isEqualTo(403);
        assertThat(otherPort.status()).isEqualTo(403);
        assertThat(tool.accepted.get()).as("the second request may reuse the pooled connection").isBetween(1, 2);
        assertThat(workspace.accepted.get()).isZero();
    }

    /** Tokens and sessions in maps; counts calls and can block or fail on demand. */
    private static final class InMemoryResolver implements CredentialResolver {
        final Map<String, Identity> tokens = new ConcurrentHashMap<>();
        final Map<String, Identity> sessions = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile @Nullable CountDownLatch gate;
        volatile boolean failing;

        @Override
        public @Nullable Identity resolveSession(String sessionCookie) {
            await();
            return sessions.get(sessionCookie);
        }

        @Override
        public @Nullable Identity resolveToken(String token) {
            await();
            return tokens.get(token);
        }

        private void await() {
            calls.incrementAndGet();
            if (failing) {
                throw new IllegalStateException("resolver down");
            }
            CountDownLatch latch = gate;
            if (latch != null) {
                try {
                    latch.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
