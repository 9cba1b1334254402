package io.mlhub.benchmarks.harness;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The upstream every target forwards to: returns a 64 KiB body for any path ending in {@code /large},
 * a 100-byte body for every other path, and echoes websocket frames back on any path.
 *
 * <p>Run it alone with {@code java -cp benchmarks.jar io.mlhub.benchmarks.harness.BackendServer PORT}. The
 * harness starts it this way, pinned to the targets' core, so that its CPU time is kept apart from the load
 * generator's. It uses one event loop thread, which is enough to keep ahead of the proxies on one core.
 */
public final class BackendServer implements AutoCloseable {
    static final int SMALL_BODY_BYTES = 100;
    static final int LARGE_BODY_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final Channel serverChannel;

    private BackendServer(EventLoopGroup group, Channel serverChannel) {
        this.group = group;
        this.serverChannel = serverChannel;
    }

    /** Starts a backend on 127.0.0.1 and the given port (0 picks a free one). */
    public static BackendServer start(int port) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new RequestHandler());
                    }
                });
        Channel channel = bootstrap.bind("127.0.0.1", port).sync().channel();
        return new BackendServer(group, channel);
    }

    /** Returns the port the backend listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Runs a backend until the process is stopped: {@code BackendServer PORT}. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: BackendServer PORT");
            System.exit(2);
        }
        BackendServer server = start(Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("backend listening on 127.0.0.1:" + server.port());
        server.serverChannel.closeFuture().sync();
    }

    static ByteBuf body(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) 'x');
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeBytes(bytes)).asReadOnly();
    }

    private static final class RequestHandler extends SimpleChannelInboundHandler<Object> {
        private static final ByteBuf SMALL = body(SMALL_BODY_BYTES);
        private static final ByteBuf LARGE = body(LARGE_BODY_BYTES);

        private WebSocketServerHandshaker handshaker;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object message) {
            if (message instanceof FullHttpRequest request) {
                handleRequest(ctx, request);
            } else if (message instanceof WebSocketFrame frame) {
                handleFrame(ctx, frame);
            }
        }

        private void handleRequest(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                String url = "ws://" + request.headers().get(HttpHeaderNames.HOST, "127.0.0.1") + request.uri();
                handshaker = new WebSocketServerHandshakerFactory(url, null, true, 1 << 20).newHandshaker(request);
                if (handshaker == null) {
                    WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
                } else {
                    handshaker.handshake(ctx.channel(), request);
                }
                return;
            }

            String path = request.uri();
            int query = path.indexOf('?');
            if (query >= 0) {
                path = path.substring(0, query);
            }
            ByteBuf content = path.endsWith("/large") ? LARGE.duplicate() : SMALL.duplicate();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!keepAlive) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void handleFrame(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                handshaker.close(ctx.channel(), close.retain());
            } else if (frame instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else {
                ctx.writeAndFlush(frame.retain());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Load generators cut connections at the end of each run, so resets are expected here.
            ctx.close();
        }
    }
}
