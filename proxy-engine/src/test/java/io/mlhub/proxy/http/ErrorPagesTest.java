package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Proxy error responses that carry the error target's pages, as configurable-http-proxy's --error-target does. */
class ErrorPagesTest {
    private final PathRouteTable routes = new PathRouteTable();
    private final List<String> pageRequests = new CopyOnWriteArrayList<>();
    private HttpServer errorTarget;
    private SocketBackends.Silent silent;
    private TestProxyServer server;

    @BeforeEach
    void start() throws Exception {
        errorTarget = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        errorTarget.createContext("/hub/error/", exchange -> {
            pageRequests.add(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery());
            String code = exchange.getRequestURI().getPath().substring("/hub/error/".length());
            byte[] page = ("<h1>hub error " + code + "</h1>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("X-Not-Copied", "1");
            exchange.sendResponseHeaders(Integer.parseInt(code), page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        });
        errorTarget.start();
        silent = new SocketBackends.Silent();
        routes.put(route("/refused", SocketBackends.refusedPort()));
        routes.put(route("/silent", silent.port()));
        server = startProxy(URI.create("http://127.0.0.1:" + errorTarget.getAddress().getPort() + "/hub/error"));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        errorTarget.stop(0);
        silent.close();
    }

    private TestProxyServer startProxy(URI target) throws InterruptedException {
        HttpProxyConfig config = HttpProxyConfig.builder()
                .errorTarget(target)
                .upstreamIdleTimeout(Duration.ofMillis(400))
                .build();
        return new TestProxyServer(HttpProxy.builder(routes).config(config).build());
    }

    private static Route route(String prefix, int port) {
        return new Route(prefix, URI.create("http://127.0.0.1:" + port), null, null, Map.of());
    }

    @Test
    void missingRouteShowsTargetPageAndKeepsConnection() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response missing = client.get("/nowhere/a%20b?x=1", "");
            RawHttpClient.Response again = client.get("/nowhere", "");

            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.bodyText()).isEqualTo("<h1>hub error 404</h1>");
            assertThat(missing.header("content-type")).isEqualTo("text/html; charset=utf-8");
            assertThat(missing.header("x-not-copied")).as("only the content headers are copied").isNull();
            assertThat(again.status()).as("the connection is reused after the page").isEqualTo(404);
        }
        assertThat(pageRequests.getFirst()).isEqualTo("/hub/error/404?url=%2Fnowhere%2Fa%2520b%3Fx%3D1");
    }

    @Test
    void upstreamFailuresShowTargetPages() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response refused = client.get("/refused/x", "");
            RawHttpClient.Response silentUpstream = client.get("/silent/x", "");

            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.bodyText()).isEqualTo("<h1>hub error 502</h1>");
            assertThat(silentUpstream.status()).isEqualTo(504);
            assertThat(silentUpstream.bodyText()).isEqualTo("<h1>hub error 504</h1>");
        }
        await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
    }

    @Test
    void failingTargetFallsBackToPlainText() throws Exception {
        server.close();
        server = startProxy(URI.create("http://127.0.0.1:" + SocketBackends.refusedPort() + "/hub/error"));

        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response missing = client.get("/nowhere", "");

            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.bodyText()).isEqualTo("404 Not Found\n");
        }
    }

    @Test
    void websocketAndHeadErrorsStayPlain() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("HEAD /nowhere HTTP/1.1\r\nHost: proxy.test\r\n\r\n");
            RawHttpClient.Response head = client.readResponse(true);
            RawHttpClient.Response upgrade = client.get("/nowhere", "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");

            assertThat(head.status()).isEqualTo(404);
            assertThat(upgrade.status()).isEqualTo(404);
            assertThat(upgrade.bodyText()).isEqualTo("404 Not Found\n");
        }
        assertThat(pageRequests).isEmpty();
    }

    @Test
    void otherStatusesStayPlain() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response malformed = client.get("/a/%zz", "");

            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.bodyText()).isEqualTo("400 Bad Request\n");
        }
        assertThat(pageRequests).isEmpty();
    }
}
