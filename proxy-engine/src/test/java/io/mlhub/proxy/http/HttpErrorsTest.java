package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hostile and failing input over real sockets: each gets the right status and leaves no upstream socket open. */
class HttpErrorsTest {
    private final PathRouteTable routes = new PathRouteTable();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EchoBackend echo;
    private SocketBackends.Silent silent;
    private SocketBackends.Dying dying;
    private TestProxyServer server;

    @BeforeEach
    void start() throws Exception {
        echo = new EchoBackend();
        silent = new SocketBackends.Silent();
        dying = new SocketBackends.Dying();
        routes.put(route("/echo", echo.port()));
        routes.put(route("/silent", silent.port()));
        routes.put(route("/dying", dying.port()));
        routes.put(route("/refused", SocketBackends.refusedPort()));
        HttpProxyConfig config = HttpProxyConfig.builder()
                .requestHeadTimeout(Duration.ofMillis(400))
                .upstreamIdleTimeout(Duration.ofMillis(400))
                .maxHeaderSize(2048)
                .maxInitialLineLength(1024)
                .build();
        server = new TestProxyServer(HttpProxy.builder(routes).config(config).meterRegistry(registry).build());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        echo.close();
        silent.close();
        dying.close();
    }

    private static Route route(String prefix, int port) {
        return new Route(prefix, URI.create("http://127.0.0.1:" + port), null, null, Map.of());
    }

    @Test
    void unknownPathGets404AndKeepsTheConnection() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response missing = client.get("/nowhere/x", "");
            RawHttpClient.Response prefixOnly = client.get("/echoes", "");
            RawHttpClient.Response found = client.get("/echo/x", "");

            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.bodyText()).isEqualTo("404 Not Found\n");
            assertThat(prefixOnly.status()).as("routes match whole segments").isEqualTo(404);
            assertThat(found.status()).isEqualTo(200);
        }
        assertThat(registry.get("mlhub.proxy.requests").tag("status", "404").counter().count()).isEqualTo(2.0);
    }

    @Test
    void healthCheckAnswersWithoutARoute() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/_chp_healthz", "");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("{\"status\":\"OK\"}");
        }
    }

    @Test
    void malformedPathsGet400() throws Exception {
        for (String target : new String[] {"/echo/%zz", "/echo/%0a", "/..", "/echo/../../x", "/echo/%2e%2e/%2E%2E/x",
                "/echo/%", "/echo/a%2"}) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                RawHttpClient.Response response = client.get(target, "");

                assertThat(response.status()).as(target).isEqualTo(400);
            }
        }
        assertThat(echo.accepted.get()).isZero();
    }

    @Test
    void oversizedHeadGets431AndIsClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/echo/x", "X-Big: " + "a".repeat(4000) + "\r\n");

            assertThat(response.status()).isEqualTo(431);
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void overlongRequestLineGets414() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/echo/" + "a".repeat(2000), "");

            assertThat(response.status()).isEqualTo(414);
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void ambiguousFramingIsRejectedBeforeReachingTheUpstream() throws Exception {
        String[] requests = {
            "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            "POST /echo/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\n",
            "POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
            "GET /echo/x HTTP/1.1\nHost: x\n\n",
        };
        for (String request : requests) {
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                client.send(request);
                RawHttpClient.Response response = client.readResponse(false);

                assertThat(response.status()).as(request).isEqualTo(400);
                assertThat(client.closedWithin(2000)).as(request).isTrue();
            }
        }
        assertThat(echo.accepted.get()).isZero();
    }

    @Test
    void badChunkSizeAbortsTheExchangeAndClosesTheUpstream() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("POST /silent/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            await().until(() -> silent.accepted.get() == 1);
            client.send("zz\r\n");
            RawHttpClient.Response response = client.readResponse(false);

            assertThat(response.status()).isEqualTo(400);
            assertThat(client.closedWithin(2000)).isTrue();
        }
        await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
        await().untilAsserted(() -> assertThat(silent.openConnections()).isZero());
    }

    @Test
    void requestOnAPooledConnectionThatClosesIsRetriedOnce() throws Exception {
        try (SocketBackends.OneRequestPerConnection flaky = new SocketBackends.OneRequestPerConnection();
                RawHttpClient client = new RawHttpClient(server.port())) {
            routes.put(route("/flaky", flaky.port()));

            RawHttpClient.Response first = client.get("/flaky/1", "");
            await().until(() -> server.proxy().openUpstreamConnections() == 1);
            RawHttpClient.Response second = client.get("/flaky/2", "");
            client.send("POST /flaky/3 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx");
            RawHttpClient.Response withBody = client.readResponse(false);

            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            assertThat(flaky.accepted.get()).as("the retry opened a new connection").isEqualTo(2);
            assertThat(withBody.status()).as("a request with a body is not retried").isEqualTo(502);
        }
    }

    @Test
    void refusedUpstreamGets502AndTheConnectionStays() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response refused = client.get("/refused/x", "");
            RawHttpClient.Response next = client.get("/echo/x", "");

            assertThat(refused.status()).isEqualTo(502);
            assertThat(next.status()).isEqualTo(200);
        }
    }

    @Test
    void upstreamThatDiesGets502() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/dying/x", "");

            assertThat(response.status()).isEqualTo(502);
        }
        await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
    }

    @Test
    void silentUpstreamGets504AndIsClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/silent/x", "");
            RawHttpClient.Response next = client.get("/echo/x", "");

            assertThat(response.status()).isEqualTo(504);
            assertThat(next.status()).isEqualTo(200);
        }
        await().untilAsserted(() -> assertThat(silent.openConnections()).isZero());
    }

    @Test
    void slowRequestHeadGets408AndIsClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("GET /echo/x HTTP/1.1\r\nHost: x\r\n");
            Thread.sleep(200);
            client.send("X-Slow: 1\r\n");
            RawHttpClient.Response response = client.readResponse(false);

            assertThat(response.status()).isEqualTo(408);
            assertThat(client.closedWithin(2000)).isTrue();
        }
        assertThat(echo.accepted.get()).isZero();
    }

    @Test
    void idleKeepAliveConnectionIsClosedWithoutAResponse() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response first = client.get("/echo/x", "");

            assertThat(first.status()).isEqualTo(200);
            assertThat(client.closedWithin(3000)).isTrue();
        }
    }

    @Test
    void clientVanishingMidBodyLeavesNoUpstreamOpen() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("POST /silent/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + "a".repeat(5000));
            await().until(() -> silent.accepted.get() == 1);
            await().until(() -> server.proxy().openUpstreamConnections() == 1);
        }

        await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
        await().untilAsserted(() -> assertThat(silent.openConnections()).isZero());
    }

    @Test
    void clientVanishingMidResponseLeavesNoUpstreamOpen() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + "a".repeat(5000));
            await().until(() -> echo.open.get() == 1);
        }

        await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
        await().untilAsserted(() -> assertThat(echo.open.get()).isZero());
    }
}
