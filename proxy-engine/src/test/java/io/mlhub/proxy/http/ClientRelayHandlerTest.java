package io.mlhub.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client side of the relay on an {@link EmbeddedChannel}: requests that the proxy responds to itself, without an
 * upstream. Every test ends with no message left in the channel.
 */
class ClientRelayHandlerTest {
    private static final ClientConnection CONNECTION = new ClientConnection(
            new InetSocketAddress("127.0.0.1", 50000), new InetSocketAddress("127.0.0.1", 8000), false);

    private final HttpProxy proxy;

    ClientRelayHandlerTest() {
        PathRouteTable routes = new PathRouteTable();
        // Never connected to: every request below gets its response before an upstream is needed.
        routes.put(new Route("/user/alice", URI.create("http://127.0.0.1:9"), "alice", "", Map.of()));
        HttpProxyConfig config = HttpProxyConfig.builder().maxHeaderSize(1024).maxInitialLineLength(512).build();
        proxy = HttpProxy.builder(routes).config(config).build();
    }

    @AfterEach
    void closeProxy() {
        proxy.close();
    }

    private EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        proxy.install(channel.pipeline(), CONNECTION);
        return channel;
    }

    /** Writes the bytes in and returns everything the proxy wrote back, releasing the buffers. */
    private static String exchange(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        channel.runPendingTasks();
        StringBuilder out = new StringBuilder();
        ByteBuf buffer;
        while ((buffer = channel.readOutbound()) != null) {
            out.append(buffer.toString(StandardCharsets.ISO_8859_1));
            buffer.release();
        }
        return out.toString();
    }

    static List<Arguments> answeredByTheProxy() {
        String big = "X-Big: " + "a".repeat(2000) + "\r\n";
        return List.of(
                Arguments.of("no route", "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404, true),
                Arguments.of("segment prefix only", "GET /user/alicex HTTP/1.1\r\nHost: x\r\n\r\n", 404, true),
                Arguments.of("absolute form", "GET http://h.test/nowhere?q HTTP/1.1\r\nHost: x\r\n\r\n", 404, true),
                Arguments.of("bad escape", "GET /user/alice/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, true),
                Arguments.of("encoded NUL", "GET /user/alice/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, true),
                Arguments.of("above root", "GET /user/../../etc HTTP/1.1\r\nHost: x\r\n\r\n", 400, true),
                Arguments.of("encoded above root", "GET /%2e%2e/x HTTP/1.1\r\nHost: x\r\n\r\n", 400, true),
                Arguments.of("asterisk form", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400, true),
                Arguments.of("health check", "GET /_chp_healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200, true),
                Arguments.of("HTTP/1.0 closes", "GET /nowhere HTTP/1.0\r\n\r\n", 404, false),
                Arguments.of("Connection: close", "GET /nowhere HTTP/1.1\r\nConnection: close\r\n\r\n", 404, false),
                Arguments.of("404 with a body closes",
                        "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 404, false),
                Arguments.of("Content-Length and chunked",
                        "POST /nowhere HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        400, false),
                Arguments.of("two Content-Lengths",
                        "POST /nowhere HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, false),
                Arguments.of("unknown coding",
                        "POST /nowhere HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 400, false),
                Arguments.of("bare LF", "GET /nowhere HTTP/1.1\nHost: x\n\n", 400, false),
                Arguments.of("space in header name", "GET /nowhere HTTP/1.1\r\nBad Name: x\r\n\r\n", 400, false),
                Arguments.of("headers too large", "GET /nowhere HTTP/1.1\r\n" + big + "\r\n", 431, false),
                Arguments.of("request line too long", "GET /" + "a".repeat(600) + " HTTP/1.1\r\n\r\n", 414, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void answeredByTheProxy(String name, String request, int status, boolean staysOpen) {
        EmbeddedChannel channel = channel();

        String response = exchange(channel, request);

        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
        assertThat(channel.isOpen()).as("connection open").isEqualTo(staysOpen);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pipelinedRequestsGetOneAnswerEachInOrder() {
        EmbeddedChannel channel = channel();

        String responses = exchange(channel, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /_chp_healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n");

        List<String> statusLines = new ArrayList<>();
        Matcher statusLine = Pattern.compile("HTTP/1\\.1 \\d{3} [A-Za-z ]+\r\n").matcher(responses);
        while (statusLine.find()) {
            statusLines.add(statusLine.group().strip());
        }
        assertThat(statusLines).containsExactly("HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found");
        assertThat(responses).as("the HEAD answer has no body").endsWith("content-length: 14\r\n\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closedConnectionLeavesNoTimer() {
        EmbeddedChannel channel = channel();
        exchange(channel, "GET /_chp_healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(channel.runScheduledPendingTasks()).as("head and idle checks armed").isPositive();

        // Fires the event of a closed socket, because closing an EmbeddedChannel cancels all of its tasks itself.
        channel.pipeline().fireChannelInactive();

        // A timer left behind would keep the closed connection's pipeline reachable until it fires.
        assertThat(channel.runScheduledPendingTasks()).as("nanoseconds to the next timer, -1 for none").isEqualTo(-1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void errorBodyNamesOnlyTheStatus() {
        EmbeddedChannel channel = channel();

        String response = exchange(channel, "GET /nowhere/%3Cscript%3E HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response).endsWith("\r\n\r\n404 Not Found\n");
        assertThat(response).doesNotContain("script");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void bodyOfARejectedRequestIsReleased() {
        EmbeddedChannel channel = channel();
        ByteBuf body = Unpooled.copiedBuffer("POST /nowhere HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", StandardCharsets.ISO_8859_1);

        channel.writeInbound(body);

        assertThat(body.refCnt()).isZero();
        ByteBuf response = channel.readOutbound();
        assertThat(response.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 404 ");
        response.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
