package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool of idle upstream connections, observed from a real backend. */
class UpstreamPoolTest {

    @Test
    void idlePooledConnectionsAreClosedAfterTheTimeout() throws Exception {
        PathRouteTable routes = new PathRouteTable();
        HttpProxyConfig config = HttpProxyConfig.builder().pooledIdleTimeout(Duration.ofMillis(200)).build();
        try (EchoBackend echo = new EchoBackend();
                TestProxyServer server = new TestProxyServer(HttpProxy.builder(routes).config(config).build())) {
            routes.put(new Route("/", URI.create("http://127.0.0.1:" + echo.port()), null, null, Map.of()));
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                assertThat(client.get("/a", "").status()).isEqualTo(200);
            }
            assertThat(echo.accepted.get()).isEqualTo(1);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(echo.open.get()).isZero());
            assertThat(server.proxy().openUpstreamConnections()).isZero();

            try (RawHttpClient client = new RawHttpClient(server.port())) {
                assertThat(client.get("/b", "").status()).as("a new connection after expiry").isEqualTo(200);
            }
            assertThat(echo.accepted.get()).isEqualTo(2);
        }
    }

    @Test
    void upstreamClosingAPooledConnectionRemovesItFromThePool() throws Exception {
        PathRouteTable routes = new PathRouteTable();
        try (EchoBackend echo = new EchoBackend();
                TestProxyServer server = new TestProxyServer(HttpProxy.builder(routes).build())) {
            routes.put(new Route("/", URI.create("http://127.0.0.1:" + echo.port()), null, null, Map.of()));
            try (RawHttpClient client = new RawHttpClient(server.port())) {
                assertThat(client.get("/a", "").status()).isEqualTo(200);
            }
            await().until(() -> server.proxy().openUpstreamConnections() == 1);

            echo.closeConnections();

            await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
        }
    }
}
