package io.mlhub.proxy.sniff;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortMultiplexHandlerTest {
    private static final SniffConfig CONFIG =
            new SniffConfig(Duration.ofSeconds(2), Duration.ofSeconds(10), false);
    private static final SniffConfig PROXY_CONFIG = CONFIG.withProxyProtocol(true);

    private static final byte[] HTTP_REQUEST = ascii("GET /hub/ HTTP/1.1\r\nHost: localhost\r\n\r\n");
    private static final byte[] SSH_BANNER = ascii("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    private static final byte[] CLIENT_HELLO = clientHello();

    @TempDir
    Path dataDirectory;

    static Stream<Arguments> splitsOfEachProtocol() {
        return Stream.of(
                        Arguments.of("tls", CLIENT_HELLO),
                        Arguments.of("http", HTTP_REQUEST),
                        Arguments.of("ssh", SSH_BANNER))
                .flatMap(arguments -> {
                    byte[] bytes = (byte[]) arguments.get()[1];
                    return IntStream.range(1, Math.min(bytes.length, 20))
                            .mapToObj(split -> Arguments.of(arguments.get()[0], bytes, split));
                });
    }

    @ParameterizedTest(name = "{0} split at {2}")
    @MethodSource("splitsOfEachProtocol")
    void protocolDetectedAtEverySplit(String protocol, byte[] bytes, int split) {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
        channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));

        assertThat(protocols.installed).containsExactly(protocol);
        assertThat(protocols.receivedBytes()).as("every byte reaches the protocol").isEqualTo(bytes);
        assertThat(channel.pipeline().get(PortMultiplexHandler.class)).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    static Stream<Arguments> eachProtocol() {
        return Stream.of(
                Arguments.of("tls", CLIENT_HELLO),
                Arguments.of("http", HTTP_REQUEST),
                Arguments.of("ssh", SSH_BANNER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eachProtocol")
    void protocolDetectedOneByteAtATime(String protocol, byte[] bytes) {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        writeOneByteAtATime(channel, bytes);

        assertThat(protocols.installed).containsExactly(protocol);
        assertThat(protocols.receivedBytes()).isEqualTo(bytes);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT"})
    void everyKnownMethodIsHttp(String method) {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(ascii(method + " / HTTP/1.1\r\n\r\n")));

        assertThat(protocols.installed).containsExactly("http");
        assertThat(protocols.connections.get(0).secure()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void sshBannerReachesAcceptorWithAutoReadOff() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(SSH_BANNER));

        assertThat(protocols.installed).containsExactly("ssh");
        assertThat(protocols.sshAutoRead).as("auto-read is off when the acceptor takes over").isFalse();
        assertThat(protocols.sshChannel).isSameAs(channel);
        assertThat(protocols.receivedBytes()).isEqualTo(SSH_BANNER);
        assertThat(channel.pipeline().get(PortMultiplexHandler.class)).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void silentClientFallsBackToSsh() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.advanceTimeBy(1900, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(protocols.installed).as("still waiting before the delay").isEmpty();

        channel.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(protocols.installed).containsExactly("ssh");
        assertThat(protocols.receivedBytes()).isEmpty();
        assertThat(protocols.sshAutoRead).isFalse();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void incompleteSignatureIsClosedAtSniffTimeout() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(ascii("GE")));
        channel.advanceTimeBy(3, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(protocols.installed).as("a client that sent bytes is not silent").isEmpty();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(8, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000\u0001\u0002", "HELLO", "GETX / HTTP/1.1", "get / HTTP/1.1", "SSH2", "\u0016\u0002",
        "\u0016\u0003\u0009", "PRI * HTTP/2.0", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n"})
    void unknownBytesCloseTheConnection(String bytes) {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(bytes.getBytes(StandardCharsets.ISO_8859_1)));

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void longUndecidedPrefixIsUnknown() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        // "OPTIONS" without the space matches a method prefix for 7 bytes, then fails on the 8th.
        writeOneByteAtATime(channel, ascii("OPTIONSX"));

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void tlsRecordIsUnknownWhenTlsIsOff() {
        RecordingProtocols protocols = new RecordingProtocols(false);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO));

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void proxyV1HeaderSetsClientAddress() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));

        writeOneByteAtATime(channel, concat(ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n"), HTTP_REQUEST));

        assertThat(protocols.installed).containsExactly("http");
        assertThat(protocols.receivedBytes()).as("the header is consumed").isEqualTo(HTTP_REQUEST);
        assertThat(protocols.connections.get(0).remoteAddress())
                .isEqualTo(new InetSocketAddress("192.0.2.7", 56324));
        assertThat(ClientAddresses.remote(channel)).isEqualTo(new InetSocketAddress("192.0.2.7", 56324));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void proxyV2HeaderSetsClientAddressForSsh() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));
        byte[] header = proxyV2Tcp4(new byte[] {(byte) 203, 0, 113, 9}, 40000, new byte[] {10, 0, 0, 1}, 22);

        channel.writeInbound(Unpooled.wrappedBuffer(concat(header, SSH_BANNER)));

        assertThat(protocols.installed).containsExactly("ssh");
        assertThat(protocols.receivedBytes()).isEqualTo(SSH_BANNER);
        assertThat(ClientAddresses.remote(channel)).isEqualTo(new InetSocketAddress("203.0.113.9", 40000));
        assertThat(channel.pipeline().names()).as("no decoder is left in front of the acceptor")
                .doesNotContain("proxy-protocol", PortMultiplexHandler.NAME);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void proxyV2HeaderSplitAnywhereIsConsumed() {
        byte[] header = proxyV2Tcp4(new byte[] {(byte) 203, 0, 113, 9}, 40000, new byte[] {10, 0, 0, 1}, 443);
        byte[] bytes = concat(header, HTTP_REQUEST);
        for (int split = 1; split < header.length + 4; split++) {
            RecordingProtocols protocols = new RecordingProtocols(true);
            EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));

            channel.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));

            assertThat(protocols.installed).as("split at %d", split).containsExactly("http");
            assertThat(protocols.receivedBytes()).as("split at %d", split).isEqualTo(HTTP_REQUEST);
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void proxyHeaderThenSilenceFallsBackToSsh() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));

        channel.advanceTimeBy(1500, TimeUnit.MILLISECONDS);
        channel.writeInbound(Unpooled.wrappedBuffer(ascii("PROXY TCP6 2001:db8::1 2001:db8::2 50000 22\r\n")));
        channel.advanceTimeBy(1500, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(protocols.installed).as("the delay restarts after the header").isEmpty();

        channel.advanceTimeBy(600, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(protocols.installed).containsExactly("ssh");
        assertThat(ClientAddresses.remote(channel)).isEqualTo(new InetSocketAddress("2001:db8::1", 50000));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void proxyLocalCommandKeepsSocketAddress() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));
        byte[] local = Arrays.copyOf(proxyV2Tcp4(new byte[4], 0, new byte[4], 0), 16);
        local[12] = 0x20; // version 2, command LOCAL
        local[13] = 0x00; // address family UNSPEC
        local[14] = 0;
        local[15] = 0;

        channel.writeInbound(Unpooled.wrappedBuffer(concat(local, HTTP_REQUEST)));

        assertThat(protocols.installed).containsExactly("http");
        assertThat(channel.attr(ClientAddresses.PROXIED_CLIENT).get()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void secondProxyHeaderIsUnknown() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));
        byte[] header = ascii("PROXY TCP4 192.0.2.7 198.51.100.1 56324 443\r\n");

        channel.writeInbound(Unpooled.wrappedBuffer(concat(header, header)));

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void malformedProxyHeaderClosesTheConnection() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(PROXY_CONFIG, protocols));

        channel.writeInbound(Unpooled.wrappedBuffer(ascii("PROXY TCP4 not-an-address 198.51.100.1 1 2\r\nGET ")));

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void proxyHeaderIsUnknownWhenDisabled() {
        RecordingProtocols protocols = new RecordingProtocols(true);
        EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));
        byte[] header = proxyV2Tcp4(new byte[] {(byte) 203, 0, 113, 9}, 40000, new byte[] {10, 0, 0, 1}, 443);

        channel.writeInbound(Unpooled.wrappedBuffer(concat(header, HTTP_REQUEST)));

        assertThat(protocols.installed).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void clientHelloAcrossSegmentsCompletesRealHandshake() throws Exception {
        try (ServerTlsContext tls = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory))) {
            RecordingProtocols protocols = new RecordingProtocols(
                    (pipeline, connection) -> pipeline.addLast(tls.newHandler(pipeline.channel().alloc())));
            EmbeddedChannel channel = new EmbeddedChannel(new PortMultiplexHandler(CONFIG, protocols));

            // Three TCP segments: the record header split, then the rest of the ClientHello.
            channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO, 0, 2));
            channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO, 2, 40));
            channel.writeInbound(Unpooled.wrappedBuffer(CLIENT_HELLO, 42, CLIENT_HELLO.length - 42));

            byte[] answer = drainOutbound(channel);
            assertThat(protocols.installed).containsExactly("tls");
            assertThat(protocols.connections.get(0).secure()).isTrue();
            assertThat(answer).as("the server answers with a TLS handshake record").isNotEmpty();
            assertThat(answer[0]).isEqualTo((byte) 0x16);
            assertThat(answer[1]).isEqualTo((byte) 0x03);
            assertThat(channel.isOpen()).isTrue();

            // Closing sends the TLS close_notify alert, which is outbound data the test drops.
            channel.close();
            drainOutbound(channel);
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    private static void writeOneByteAtATime(EmbeddedChannel channel, byte[] bytes) {
        for (byte b : bytes) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
    }

    private static byte[] drainOutbound(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] proxyV2Tcp4(byte[] source, int sourcePort, byte[] destination, int destinationPort) {
        ByteBuffer header = ByteBuffer.allocate(28);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21); // version 2, command PROXY
        header.put((byte) 0x11); // AF_INET, STREAM
        header.putShort((short) 12);
        header.put(source).put(destination);
        header.putShort((short) sourcePort).putShort((short) destinationPort);
        return header.array();
    }

    private static byte[] clientHello() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, null, null);
            SSLEngine engine = context.createSSLEngine("localhost", 443);
            engine.setUseClientMode(true);
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(ByteBuffer.allocate(0), out);
            out.flip();
            byte[] bytes = new byte[out.remaining()];
            out.get(bytes);
            return bytes;
        } catch (Exception e) {
            throw new IllegalStateException("creating a ClientHello failed", e);
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
