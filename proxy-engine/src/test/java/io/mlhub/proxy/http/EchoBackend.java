package io.mlhub.proxy.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP backend that streams each request body back and reports the request in response headers:
 * {@code x-echo-method}, {@code x-echo-uri} and {@code x-echo-h-<header name>} for every request header.
 * Paths {@code /status/<code>} respond with that status and no body, {@code /close} responds with Connection: close,
 * and {@code /hop} adds hop-by-hop headers to its response.
 */
final class EchoBackend implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    EchoBackend() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        accepted.incrementAndGet();
                        open.incrementAndGet();
                        connections.add(channel);
                        channel.closeFuture().addListener(f -> open.decrementAndGet());
                        channel.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new ExpectRecorder())
                                .addLast(new HttpServerExpectContinueHandler())
                                .addLast(new EchoHandler());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Closes every accepted connection while the event loop keeps running. Shutting the loop down instead can leave
     * the sockets open, because the JDK closes a socket registered with a selector only at the next select.
     */
    void closeConnections() {
        connections.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Copies Expect into x-saw-expect, because the continue handler behind it removes Expect. */
    private static final class ExpectRecorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request && request.headers().contains(HttpHeaderNames.EXPECT)) {
                request.headers().set("x-saw-expect", request.headers().get(HttpHeaderNames.EXPECT));
            }
            ctx.fireChannelRead(msg);
        }
    }

    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        private boolean echoing;
        private boolean closeAfter;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                startResponse(ctx, request);
            }
            if (msg instanceof HttpContent content) {
                if (echoing) {
                    boolean last = content instanceof LastHttpContent;
                    // The echoed piece takes over the request piece's buffer.
                    var written = ctx.writeAndFlush(last ? content : new DefaultHttpContent(content.content()));
                    if (last && closeAfter) {
                        written.addListener(ChannelFutureListener.CLOSE);
                    }
                    if (!ctx.channel().isWritable()) {
                        ctx.channel().config().setAutoRead(false);
                    }
                } else {
                    content.release();
                }
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        private void startResponse(ChannelHandlerContext ctx, HttpRequest request) {
            String uri = request.uri();
            if (uri.startsWith("/status/")) {
                int code = Integer.parseInt(uri.substring("/status/".length()));
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code)));
                echoing = false;
                return;
            }

            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set("x-echo-method", request.method().name());
            response.headers().set("x-echo-uri", request.uri());
            for (Map.Entry<String, String> header : request.headers()) {
                response.headers().add("x-echo-h-" + header.getKey().toLowerCase(), header.getValue());
            }
            if (uri.equals("/hop")) {
                response.headers()
                        .set(HttpHeaderNames.CONNECTION, "keep-alive, X-Hop")
                        .set("X-Hop", "1")
                        .set(HttpHeaderNames.KEEP_ALIVE, "timeout=5")
                        .set(HttpHeaderNames.TRAILER, "X-Checksum")
                        .set("X-Kept", "yes");
            }
            closeAfter = uri.equals("/close");
            if (closeAfter) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            if (request.method() == HttpMethod.HEAD) {
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 5);
                ctx.write(response);
                echoing = true;
                return;
            }
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.write(response);
            echoing = true;
        }
    }
}
