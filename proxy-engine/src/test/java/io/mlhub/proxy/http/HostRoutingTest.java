package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Host routing as configurable-http-proxy's --host-routing does it: the first key segment is the host. */
class HostRoutingTest {
    private final PathRouteTable routes = new PathRouteTable();
    private EchoBackend hub;
    private EchoBackend alice;
    private TestProxyServer server;

    @BeforeEach
    void start() throws Exception {
        hub = new EchoBackend();
        alice = new EchoBackend();
        routes.put(new Route("/", URI.create("http://127.0.0.1:" + hub.port()), null, null, Map.of()));
        routes.put(new Route("/alice.hub.test", URI.create("http://127.0.0.1:" + alice.port()), null, null,
                Map.of()));
        routes.put(new Route("/alice.hub.test/deep", URI.create("http://127.0.0.1:" + alice.port() + "/d"), null,
                null, Map.of()));
        HttpProxyConfig config = HttpProxyConfig.builder().hostRouting(true).build();
        server = new TestProxyServer(HttpProxy.builder(routes).config(config).build());
    }

    @AfterEach
    void stop() {
        server.close();
        hub.close();
        alice.close();
    }

    private RawHttpClient.Response get(String host, String target) throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            return client.readResponse(false);
        }
    }

    @Test
    void hostSelectsTheRouteAndThePathIsForwardedWithoutIt() throws Exception {
        RawHttpClient.Response root = get("alice.hub.test:8000", "/lab?x=1");
        RawHttpClient.Response deep = get("ALICE.hub.test", "/deep/x");
        RawHttpClient.Response other = get("bob.hub.test", "/lab");

        assertThat(root.header("x-echo-uri")).isEqualTo("/lab?x=1");
        assertThat(deep.header("x-echo-uri")).as("host names are case-insensitive").isEqualTo("/d/deep/x");
        assertThat(other.header("x-echo-uri")).isEqualTo("/lab");
        assertThat(alice.accepted.get()).isBetween(1, 2);
        assertThat(hub.accepted.get()).isEqualTo(1);
    }

    @Test
    void hostThatIsNotAHostNameGets400() throws Exception {
        for (String host : new String[] {"alice.hub.test/deep", "a b", "a%2Fb", "[::1"}) {
            RawHttpClient.Response response = get(host, "/x");

            assertThat(response.status()).as(host).isEqualTo(400);
        }
        assertThat(hub.accepted.get()).isZero();
        assertThat(alice.accepted.get()).isZero();
    }

    @Test
    void requestWithoutHostUsesThePathOnly() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("GET /alice.hub.test/x HTTP/1.0\r\n\r\n");
            RawHttpClient.Response response = client.readResponse(false);

            assertThat(response.header("x-echo-uri")).isEqualTo("/alice.hub.test/x");
            assertThat(alice.accepted.get()).isEqualTo(1);
        }
    }
}
