package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Websocket upgrades through the proxy to a backend on Netty's websocket codec, with the JDK client. */
class WebsocketRelayTest {
    private final PathRouteTable routes = new PathRouteTable();
    private WebsocketBackend websocket;
    private EchoBackend echo;
    private TestProxyServer server;

    @BeforeEach
    void start() throws Exception {
        websocket = new WebsocketBackend();
        echo = new EchoBackend();
        routes.put(new Route("/", URI.create("http://127.0.0.1:" + websocket.port()), null, null, Map.of()));
        routes.put(new Route("/plain", URI.create("http://127.0.0.1:" + echo.port()), null, null, Map.of()));
        HttpProxyConfig config = HttpProxyConfig.builder().websocketIdleTimeout(Duration.ofSeconds(30)).build();
        server = new TestProxyServer(HttpProxy.builder(routes).config(config).build());
    }

    @AfterEach
    void stop() {
        server.close();
        websocket.close();
        echo.close();
    }

    @Test
    void messagesAreEchoedThroughTheTunnel() throws Exception {
        Messages messages = new Messages();
        WebSocket socket = connect(messages);

        socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
        socket.sendText("é".repeat(40_000), true).get(5, TimeUnit.SECONDS);

        assertThat(messages.next()).isEqualTo("hello");
        assertThat(messages.next()).isEqualTo("é".repeat(40_000));
        assertThat(server.proxy().metrics().openTunnels()).isEqualTo(1);
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        assertThat(messages.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        await().untilAsserted(() -> assertThat(server.proxy().metrics().openTunnels()).isZero());
        await().untilAsserted(() -> assertThat(websocket.open.get()).isZero());
    }

    @Test
    void clientVanishingClosesTheUpstream() throws Exception {
        Messages messages = new Messages();
        WebSocket socket = connect(messages);
        socket.sendText("ping", true).get(5, TimeUnit.SECONDS);
        assertThat(messages.next()).isEqualTo("ping");

        socket.abort();

        await().untilAsserted(() -> assertThat(websocket.open.get()).isZero());
        await().untilAsserted(() -> assertThat(server.proxy().openUpstreamConnections()).isZero());
        await().untilAsserted(() -> assertThat(server.proxy().metrics().openTunnels()).isZero());
    }

    @Test
    void upstreamClosingClosesTheClient() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send(upgradeRequest("/ws"));
            RawHttpClient.Response handshake = client.readResponse(false);
            assertThat(handshake.status()).isEqualTo(101);

            client.send(maskedTextFrame("close-me"));

            assertThat(client.closedWithin(5000)).isTrue();
        }
        await().untilAsserted(() -> assertThat(server.proxy().metrics().openTunnels()).isZero());
    }

    @Test
    void bytesSentRightBehindTheHandshakeReachTheUpstream() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.write(upgradeRequest("/ws").getBytes(StandardCharsets.ISO_8859_1));
            both.write(maskedTextFrame("early"));
            client.send(both.toByteArray());

            RawHttpClient.Response handshake = client.readResponse(false);
            byte[] frame = client.input().readNBytes(2 + "early".length());

            assertThat(handshake.status()).isEqualTo(101);
            assertThat(handshake.header("upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(handshake.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(frame[0] & 0xFF).isEqualTo(0x81);
            assertThat(new String(frame, 2, frame.length - 2, StandardCharsets.UTF_8)).isEqualTo("early");
        }
    }

    @Test
    void refusedUpgradeIsRelayedAndTheConnectionClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.send(upgradeRequest("/plain/ws"));
            RawHttpClient.Response response = client.readResponse(false);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("x-echo-h-upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedWithin(2000)).isTrue();
        }
        await().untilAsserted(() -> assertThat(echo.open.get()).isZero());
        assertThat(server.proxy().metrics().openTunnels()).isZero();
    }

    private WebSocket connect(Messages messages) throws Exception {
        return HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), messages)
                .get(5, TimeUnit.SECONDS);
    }

    private static String upgradeRequest(String path) {
        // The key and accept value are the example of RFC 6455 section 1.3.
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /** Returns a client-to-server text frame, masked as RFC 6455 requires; the payload must be under 126 bytes. */
    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = {1, 2, 3, 4};
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /** Collects whole text messages and the close code. */
    private static final class Messages implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
        }

        String next() throws InterruptedException {
            String message = received.poll(5, TimeUnit.SECONDS);
            assertThat(message).as("message within 5 s").isNotNull();
            return message;
        }
    }
}
