package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.server.ProxyServer;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.mlhub.proxy.tls.TrustingClients;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Hostile input through the whole public port (sniffer, TLS, ALPN and relay) over real sockets. Each case checks
 * the status, that the connection is closed or reused as the response announced, and afterwards that no client
 * connection, upstream connection, tunnel, route entry or buffer was left behind.
 */
class HostileInputTest {
    @TempDir
    Path dataDirectory;

    private final PathRouteTable routes = new PathRouteTable();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ListAppender<ILoggingEvent> leakReports = new ListAppender<>();
    private EchoBackend echo;
    private WebsocketBackend websocket;
    private ServerTlsContext tls;
    private HttpProxy httpProxy;
    private ProxyServer server;
    private SSLSocketFactory tlsSockets;
    private int routeCount;

    @BeforeEach
    void start() throws Exception {
        leakReports.start();
        leakLogger().addAppender(leakReports);
        echo = new EchoBackend();
        websocket = new WebsocketBackend();
        routes.put(new Route("/user/a", URI.create("http://127.0.0.1:" + echo.port()), "a", "", Map.of()));
        routes.put(new Route("/user/ws", URI.create("http://127.0.0.1:" + websocket.port()), "ws", "", Map.of()));
        routes.put(new Route("/user/j%C3%BCrgen", URI.create("http://127.0.0.1:" + echo.port()), "j", "", Map.of()));
        routeCount = routes.size();

        HttpProxyConfig config = HttpProxyConfig.builder()
                .requestHeadTimeout(Duration.ofMillis(500))
                .pooledIdleTimeout(Duration.ofMillis(300))
                .maxHeaderSize(2048)
                .maxInitialLineLength(1024)
                .build();
        tls = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory));
        httpProxy = HttpProxy.builder(routes).config(config).meterRegistry(registry).build();
        server = ProxyServer.builder(new InetSocketAddress("127.0.0.1", 0), httpProxy)
                .tls(tls)
                .metrics(new ProxyMetrics(registry))
                .drainTimeout(Duration.ofSeconds(30))
                .build()
                .start();
        tlsSockets = TrustingClients.trusting(tls).getSocketFactory();
    }

    @AfterEach
    void checkNothingLeftAndStop() throws Exception {
        try {
            ProxyMetrics metrics = httpProxy.metrics();
            await().untilAsserted(() -> assertThat(server.openConnections()).as("client connections").isZero());
            for (ProxyMetrics.Protocol protocol : ProxyMetrics.Protocol.values()) {
                assertThat(metrics.openConnections(protocol)).as("open-connection gauge " + protocol).isZero();
            }
            await().untilAsserted(() -> assertThat(metrics.openUpstreamConnections())
                    .as("upstream connections, pooled ones expire").isZero());
            assertThat(metrics.openTunnels()).as("websocket tunnels").isZero();
            assertThat(websocket.open.get()).as("websocket backend connections").isZero();
            assertThat(routes.size()).as("route table size").isEqualTo(routeCount);
            assertThat(reportedLeaks()).as("leak detector reports").isEmpty();
        } finally {
            leakLogger().detachAppender(leakReports);
            server.close();
            httpProxy.close();
            tls.close();
            echo.close();
            websocket.close();
        }
    }

    /** A request target, the status it must get, and the target the upstream must see when it is forwarded. */
    private record Case(String target, int status, @Nullable String upstreamTarget) {}

    @Test
    void hostilePathAlphabetsGetTheirStatus() throws Exception {
        Case[] cases = {
            new Case("/user/a/x y", 400, null),
            new Case("/user/a/x%20y", 200, "/user/a/x%20y"),
            new Case("/user/a/say\"hi\"", 200, "/user/a/say%22hi%22"),
            new Case("/user/a/(x)", 200, "/user/a/(x)"),
            new Case("/user/a/back\\slash", 200, "/user/a/back%5Cslash"),
            new Case("/user/a/me@host", 200, "/user/a/me@host"),
            new Case("/user/a/%40", 200, "/user/a/@"),
            new Case("/user/%61/x", 200, "/user/a/x"),
            new Case("/user/a/100%", 400, null),
            new Case("/user/a/%zz", 400, null),
            new Case("/user/a/%C3%A9", 200, "/user/a/%C3%A9"),
            new Case("/user/a/\u00c3\u00a9", 200, "/user/a/%C3%A9"),
            new Case("/user/a/q?name=\u00c3\u00a9", 200, "/user/a/q?name=%C3%A9"),
            new Case("/user/j\u00c3\u00bcrgen/lab", 200, "/user/j%C3%BCrgen/lab"),
            new Case("/user/a/../c/x", 404, null),
            new Case("/user/a/%2e%2e/c/x", 404, null),
            new Case("/user/a/%2E%2e/%2e%2e/%2e%2e/x", 400, null),
            new Case("/user/b/../a/x", 200, "/user/a/x"),
            new Case("/user%2Fa/x", 404, null),
            new Case("/user/a/x%2Fy", 200, "/user/a/x%2Fy"),
            new Case("/user/a/x%2F..%2F..%2Fws", 200, "/user/a/x%2F..%2F..%2Fws"),
            new Case("/user/a/%00", 400, null),
        };

        for (Case hostile : cases) {
            try (RawHttpClient client = new RawHttpClient(tlsSocket())) {
                // The target's characters go out as single bytes, so \u00c3\u00a9 is the raw UTF-8 of é.
                RawHttpClient.Response response = client.get(hostile.target(), "");

                assertThat(response.status()).as(hostile.target()).isEqualTo(hostile.status());
                if (hostile.upstreamTarget() != null) {
                    assertThat(response.header("x-echo-uri")).as(hostile.target()).isEqualTo(hostile.upstreamTarget());
                }
                assertClosedOrReusedAsAnnounced(client, response, hostile.target());
            }
        }
    }

    @Test
    void oversizedHeadsGetTheirStatusAndClose() throws Exception {
        try (RawHttpClient client = new RawHttpClient(tlsSocket())) {
            RawHttpClient.Response response = client.get("/user/a/x", "X-Big: " + "b".repeat(4000) + "\r\n");

            assertThat(response.status()).isEqualTo(431);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedWithin(5000)).isTrue();
        }
        try (RawHttpClient client = new RawHttpClient(tlsSocket())) {
            RawHttpClient.Response response = client.get("/user/a/" + "l".repeat(2000), "");

            assertThat(response.status()).isEqualTo(414);
            assertThat(client.closedWithin(5000)).isTrue();
        }
        assertThat(echo.accepted.get()).as("nothing reached the upstream").isZero();
    }

    @Test
    void slowHeadGets408AndCloses() throws Exception {
        try (RawHttpClient client = new RawHttpClient(tlsSocket())) {
            client.send("GET /user/a/x HTTP/1.1\r\nHost: proxy.test\r\n");

            RawHttpClient.Response response = client.readResponse(false);

            assertThat(response.status()).isEqualTo(408);
            assertThat(client.closedWithin(5000)).isTrue();
        }
        assertThat(echo.accepted.get()).isZero();
    }

    @Test
    void clientVanishingMidBodyLeavesNothingBehind() throws Exception {
        Socket socket = tlsSocket();
        RawHttpClient client = new RawHttpClient(socket);
        client.send("POST /user/a/upload HTTP/1.1\r\nHost: proxy.test\r\nContent-Length: 100000\r\n\r\n"
                + "x".repeat(5000));
        RawHttpClient.Response head = client.readHead();
        assertThat(head.status()).as("the echo starts before the body ends").isEqualTo(200);

        socket.setSoLinger(true, 0);
        socket.close();

        await().untilAsserted(() -> assertThat(echo.open.get()).as("upstream leg closed").isZero());
    }

    @Test
    void clientVanishingMidWebsocketLeavesNothingBehind() throws Exception {
        Socket socket = tlsSocket();
        RawHttpClient client = new RawHttpClient(socket);
        client.send(WebsocketRelayTest.upgradeRequest("/user/ws/socket"));
        assertThat(client.readResponse(false).status()).isEqualTo(101);
        client.send(WebsocketRelayTest.maskedTextFrame("ping"));
        byte[] echoed = client.input().readNBytes(2 + "ping".length());
        assertThat(new String(echoed, 2, 4, StandardCharsets.UTF_8)).isEqualTo("ping");
        // Half a frame: the client vanishes in the middle of a message.
        client.send(new byte[] {(byte) 0x81, (byte) 0x85, 1, 2});

        socket.setSoLinger(true, 0);
        socket.close();

        await().untilAsserted(() -> assertThat(websocket.open.get()).as("upstream leg closed").isZero());
    }

    @Test
    void serverCloseEndsIdleConnectionsAndFinishesRequests() throws Exception {
        RawHttpClient idle = new RawHttpClient(tlsSocket());
        RawHttpClient busy = new RawHttpClient(tlsSocket());
        assertThat(idle.get("/user/a/first", "").status()).isEqualTo(200);
        busy.send("POST /user/a/slow HTTP/1.1\r\nHost: proxy.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        RawHttpClient.Response head = busy.readHead();
        assertThat(head.status()).isEqualTo(200);
        long start = System.nanoTime();

        CompletableFuture<Void> closed = CompletableFuture.runAsync(server::close);

        assertThat(idle.closedWithin(5000)).as("the idle keep-alive connection closes at once").isTrue();
        busy.send("5\r\nworld\r\n0\r\n\r\n");
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        busy.readChunked(rest);
        assertThat(rest.toString(StandardCharsets.UTF_8)).as("the request in progress finishes").endsWith("world");
        assertThat(busy.closedWithin(5000)).as("and its connection closes after the response").isTrue();
        closed.get(20, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no wait for the 30 s drain timeout")
                .isLessThan(Duration.ofSeconds(20));
        idle.close();
        busy.close();
    }

    private Socket tlsSocket() throws Exception {
        return tlsSockets.createSocket(InetAddress.getLoopbackAddress(), server.localAddress().getPort());
    }

    /**
     * Checks that a connection whose response carried {@code Connection: close} is closed, and that any other one
     * serves a next request.
     */
    private static void assertClosedOrReusedAsAnnounced(RawHttpClient client, RawHttpClient.Response response,
            String target) throws Exception {
        if ("close".equalsIgnoreCase(response.header("connection"))) {
            assertThat(client.closedWithin(5000)).as(target + ": closed as announced").isTrue();
            return;
        }
        assertThat(client.get("/user/a/next", "").status()).as(target + ": connection reused").isEqualTo(200);
    }

    private static Logger leakLogger() {
        return (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    }

    /**
     * Returns the leak reports logged so far. The detector reports a buffer that was collected without a release
     * when it tracks a later allocation, so this collects garbage and allocates a few buffers first.
     */
    private List<String> reportedLeaks() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 256; i++) {
                ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                buffer.release();
            }
        }
        return leakReports.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
