package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.net.URI;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay over real sockets, between a JDK or raw-socket client and a Netty echo backend. */
class HttpRelayTest {
    private final PathRouteTable routes = new PathRouteTable();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private EchoBackend echo;
    private TestProxyServer server;

    @BeforeEach
    void start() throws Exception {
        echo = new EchoBackend();
        routes.put(new Route("/echo", URI.create("http://127.0.0.1:" + echo.port()), null, null, Map.of()));
        routes.put(new Route("/based", URI.create("http://127.0.0.1:" + echo.port() + "/base/"), null, null,
                Map.of()));
        HttpProxyConfig config = HttpProxyConfig.builder()
                .requestHeadTimeout(Duration.ofMillis(500))
                .upstreamIdleTimeout(Duration.ofSeconds(2))
                .maxHeaderSize(4096)
                .build();
        server = new TestProxyServer(HttpProxy.builder(routes).config(config).meterRegistry(registry).build());
    }

    @AfterEach
    void stop() {
        server.close();
        echo.close();
    }

    @Test
    void getIsRelayedWithPathAndQueryKept() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/echo/a/b?x=1&y=%2F", "");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-echo-uri")).isEqualTo("/echo/a/b?x=1&y=%2F");
            assertThat(response.header("x-echo-h-host")).isEqualTo("proxy.test");
        }
    }

    @Test
    void targetPathIsPrepended() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/based/x?q", "");

            assertThat(response.header("x-echo-uri")).isEqualTo("/base/based/x?q");
        }
    }

    @Test
    void dotSegmentsAreResolvedBeforeForwarding() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/other/%2e%2e/echo/./x", "");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-echo-uri")).isEqualTo("/echo/x");
        }
    }

    @Test
    void hopByHopHeadersAreDropped() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/echo/h",
                    "Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                            + "Proxy-Authorization: Basic abc\r\nX-Kept: yes\r\n");

            assertThat(response.header("x-echo-h-x-secret")).isNull();
            assertThat(response.header("x-echo-h-keep-alive")).isNull();
            assertThat(response.header("x-echo-h-te")).isNull();
            assertThat(response.header("x-echo-h-proxy-authorization")).isNull();
            assertThat(response.header("x-echo-h-connection")).isNull();
            assertThat(response.header("x-echo-h-x-kept")).isEqualTo("yes");
        }
    }

    @Test
    void hopByHopResponseHeadersAreDropped() throws Exception {
        routes.put(new Route("/hop", URI.create("http://127.0.0.1:" + echo.port()), null, null, Map.of()));
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/hop", "");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-hop")).isNull();
            assertThat(response.header("keep-alive")).isNull();
            assertThat(response.header("trailer")).isNull();
            assertThat(response.header("connection")).isNull();
            assertThat(response.header("x-kept")).isEqualTo("yes");
            assertThat(response.header("transfer-encoding")).as("reframed for this leg").isEqualTo("chunked");
        }
    }

    @Test
    void forwardedHeadersFromUntrustedClientsAreReplaced() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response response = client.get("/echo/f",
                    "X-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Proto: https\r\nForwarded: for=10.9.9.9\r\n");

            assertThat(response.header("x-echo-h-x-forwarded-for")).isEqualTo("127.0.0.1");
            assertThat(response.header("x-echo-h-x-forwarded-proto")).isEqualTo("http");
            assertThat(response.header("x-echo-h-x-forwarded-host")).isEqualTo("proxy.test");
            assertThat(response.header("x-echo-h-x-forwarded-port")).isEqualTo("80");
            assertThat(response.header("x-echo-h-forwarded")).isNull();
        }
    }

    @Test
    void forwardedHeadersCanBeLeftOut() throws Exception {
        HttpProxyConfig config = HttpProxyConfig.builder().addForwardedHeaders(false).build();
        try (TestProxyServer plain = new TestProxyServer(HttpProxy.builder(routes).config(config).build());
                RawHttpClient client = new RawHttpClient(plain.port())) {
            RawHttpClient.Response response = client.get("/echo/f", "X-Forwarded-For: 10.9.9.9\r\n");

            assertThat(response.header("x-echo-h-x-forwarded-for")).isEqualTo("10.9.9.9");
            assertThat(response.header("x-echo-h-x-forwarded-proto")).isNull();
            assertThat(response.header("x-echo-h-x-forwarded-host")).isNull();
        }
    }

    @Test
    void keepAliveReusesOneConnectionOnEachLeg() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            for (int i = 0; i < 20; i++) {
                RawHttpClient.Response response = client.get("/echo/" + i, "");
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("x-echo-uri")).isEqualTo("/echo/" + i);
            }

            assertThat(echo.accepted.get()).as("upstream connections").isEqualTo(1);
            assertThat(registry.get("mlhub.proxy.upstream.connects").counter().count()).isEqualTo(1.0);
            assertThat(client.closedWithin(50)).isFalse();
        }
    }

    @Test
    void bodilessResponsesKeepTheConnectionOpen() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("HEAD /echo/head HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttpClient.Response head = client.readResponse(true);
            RawHttpClient.Response noContent = client.get("/echo/../status/204", "");
            RawHttpClient.Response afterwards = client.get("/echo/after", "");

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("5");
            assertThat(noContent.status()).isEqualTo(404);
            assertThat(afterwards.status()).isEqualTo(200);
            assertThat(afterwards.header("x-echo-uri")).isEqualTo("/echo/after");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("GET /echo/1 HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/2 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\nGET /echo/4 HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(client.readResponse(false).header("x-echo-uri")).isEqualTo("/echo/1");
            assertThat(client.readResponse(false).header("x-echo-uri")).isEqualTo("/echo/2");
            assertThat(client.readResponse(false).status()).isEqualTo(404);
            assertThat(client.readResponse(false).header("x-echo-uri")).isEqualTo("/echo/4");
        }
    }

    @Test
    void largeBodyStreamsThroughIntactInBothDirections() throws Exception {
        int size = 50 * 1024 * 1024;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        MessageDigest received = MessageDigest.getInstance("SHA-256");
        long[] receivedBytes = new long[1];
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                received.update(bytes, offset, length);
                receivedBytes[0] += length;
            }
        };

        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("POST /echo/big HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n");
            // The echo responds while the upload runs, so the upload goes on its own thread.
            Thread uploader = Thread.ofVirtual().start(() -> upload(client, size, sent));
            RawHttpClient.Response response = client.readResponse(false, sink);
            uploader.join();

            assertThat(response.status()).isEqualTo(200);
        }
        assertThat(receivedBytes[0]).isEqualTo(size);
        assertThat(received.digest()).isEqualTo(sent.digest());
    }

    private static void upload(RawHttpClient client, int size, MessageDigest digest) {
        Random random = new Random(42);
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int written = 0; written < size; written += chunk.length) {
                random.nextBytes(chunk);
                digest.update(chunk);
                client.output().write(chunk);
            }
            client.output().flush();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void expectContinueIsForwardedAndTheInterimAnswerRelayed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("POST /echo/c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            RawHttpClient.Response interim = client.readResponse(false);
            client.send("hello");
            RawHttpClient.Response response = client.readResponse(false);

            assertThat(interim.status()).isEqualTo(100);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("hello");
            assertThat(response.header("x-echo-h-x-saw-expect")).isEqualTo("100-continue");
        }
    }

    @Test
    void successfulResponsesRecordRouteActivity() throws Exception {
        java.time.Instant added = routes.lastActivity("/echo");
        Thread.sleep(5);

        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.get("/nowhere", "");
            assertThat(routes.lastActivity("/echo")).isEqualTo(added);
            client.get("/echo/x", "");
        }

        assertThat(routes.lastActivity("/echo")).isAfter(added);
    }

    @Test
    void responsesAreCountedByStatusAndLatencyIsTimed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.get("/echo/x", "");
            client.get("/echo/y", "");
            client.get("/nowhere", "");
        }

        assertThat(registry.get("mlhub.proxy.requests").tags("status", "200", "class", "2xx").counter().count())
                .isEqualTo(2.0);
        assertThat(registry.get("mlhub.proxy.requests").tags("status", "404", "class", "4xx").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.get("mlhub.proxy.upstream.latency").timer().count()).isEqualTo(2);
        assertThat(registry.get("mlhub.proxy.upstream.connections").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("mlhub.proxy.websocket.tunnels").gauge().value()).isZero();
    }

    @Test
    void http10ClientGetsAnUnchunkedResponseAndAClose() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send("GET /echo/old HTTP/1.0\r\n\r\n");
            RawHttpClient.Response response = client.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("transfer-encoding")).isNull();
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(response.header("x-echo-uri")).isEqualTo("/echo/old");
            assertThat(client.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void upstreamClosingAfterResponseIsNotReused() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            RawHttpClient.Response first = client.get("/echo/../close", "");
            assertThat(first.status()).isEqualTo(404);

            routes.put(new Route("/close", URI.create("http://127.0.0.1:" + echo.port()), null, null, Map.of()));
            RawHttpClient.Response closing = client.get("/close", "");
            RawHttpClient.Response next = client.get("/echo/next", "");

            assertThat(closing.status()).isEqualTo(200);
            assertThat(closing.header("connection")).isNull();
            assertThat(next.status()).isEqualTo(200);
            await().untilAsserted(() -> assertThat(echo.accepted.get()).isEqualTo(2));
        }
    }
}
