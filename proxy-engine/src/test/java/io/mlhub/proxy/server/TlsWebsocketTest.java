package io.mlhub.proxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.proxy.http.HttpProxy;
import io.mlhub.proxy.route.PathRouteTable;
import io.mlhub.proxy.route.Route;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.mlhub.proxy.tls.TlsConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A websocket over TLS through the sniffer, the ALPN step and the relay, with the JDK's client. */
class TlsWebsocketTest {
    @TempDir
    Path dataDirectory;

    @Test
    void websocketEchoesOverTls() throws Exception {
        EventLoopGroup backendGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel backend = startEchoBackend(backendGroup);
        PathRouteTable routes = new PathRouteTable();
        int backendPort = ((InetSocketAddress) backend.localAddress()).getPort();
        routes.put(new Route("/user/a", URI.create("http://127.0.0.1:" + backendPort), null, null, Map.of()));

        try (ServerTlsContext tls = ServerTlsContext.create(TlsConfig.selfSigned(dataDirectory));
                HttpProxy httpProxy = HttpProxy.builder(routes).build();
                ProxyServer server = ProxyServer.builder(new InetSocketAddress("127.0.0.1", 0), httpProxy)
                        .tls(tls)
                        .drainTimeout(Duration.ZERO)
                        .build()
                        .start()) {
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(tls)).build();
            CompletableFuture<String> echoed = new CompletableFuture<>();
            URI uri = URI.create("wss://127.0.0.1:" + server.localAddress().getPort() + "/user/a/ws");

            WebSocket socket = client.newWebSocketBuilder()
                    .buildAsync(uri, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            echoed.complete(data.toString());
                            return null;
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            socket.sendText("hello through tls", true).get(5, TimeUnit.SECONDS);

            assertThat(echoed.get(5, TimeUnit.SECONDS)).isEqualTo("echo: hello through tls");
            socket.abort();
            client.close();
        } finally {
            backend.close().sync();
            backendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Returns a client context that trusts exactly the server's self-signed certificate. */
    private static SSLContext trusting(ServerTlsContext tls) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("hub", tls.certificate());
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static Channel startEchoBackend(EventLoopGroup group) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(65536))
                                .addLast(new WebSocketServerProtocolHandler("/user/a/ws"))
                                .addLast(new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
                                    }
                                });
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }
}
