package io.mlhub.benchmarks.harness;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Websocket load for the harness, since wrk has no websocket support: an echo loop that counts round trips,
 * and a holder that opens many idle websockets so that the proxy's memory per connection can be read.
 * Runs on one event loop thread, and the harness JVM is pinned to the load generator's core.
 */
final class WebSocketLoad implements AutoCloseable {
    private static final int PAYLOAD_BYTES = 64;

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelClass;

    WebSocketLoad() {
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Opens {@code connections} websockets to {@code uri}, keeps one 64-byte binary frame in flight on each
     * for {@code duration}, and returns the completed round trips per second.
     */
    double echoRoundTripsPerSecond(URI uri, int connections, Duration duration) throws Exception {
        AtomicLong roundTrips = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Channel> channels = open(uri, connections, () -> new EchoHandler(roundTrips, running));

        long start = System.nanoTime();
        long startCount = roundTrips.get();
        for (Channel channel : channels) {
            channel.writeAndFlush(payload());
        }
        Thread.sleep(duration.toMillis());
        long count = roundTrips.get() - startCount;
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        closeAll(channels);
        return count / seconds;
    }

    /**
     * Opens {@code connections} idle websockets to {@code uri} (at most 200 handshakes in flight) and returns
     * them. The caller closes them with {@link #closeAll}.
     */
    List<Channel> openIdle(URI uri, int connections) throws Exception {
        return open(uri, connections, IdleHandler::new);
    }

    /** Sends a close frame on each websocket and closes the sockets, waiting at most ten seconds. */
    void closeAll(List<Channel> channels) throws InterruptedException {
        List<ChannelFuture> closing = new ArrayList<>(channels.size());
        for (Channel channel : channels) {
            if (channel.isActive()) {
                channel.writeAndFlush(new CloseWebSocketFrame());
            }
            closing.add(channel.close());
        }
        for (ChannelFuture future : closing) {
            future.await(10, TimeUnit.SECONDS);
        }
    }

    private List<Channel> open(URI uri, int connections, java.util.function.Supplier<SimpleChannelInboundHandler<WebSocketFrame>> frames)
            throws Exception {
        Semaphore inFlight = new Semaphore(200);
        List<CompletableFuture<Channel>> pending = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            inFlight.acquire();
            CompletableFuture<Channel> opened = connect(uri, frames.get());
            opened.whenComplete((channel, error) -> inFlight.release());
            pending.add(opened);
        }

        List<Channel> channels = new ArrayList<>(connections);
        Exception failure = null;
        for (CompletableFuture<Channel> opened : pending) {
            try {
                channels.add(opened.get(30, TimeUnit.SECONDS));
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            closeAll(channels);
            throw new IllegalStateException("websocket handshake to " + uri + " failed for "
                    + (connections - channels.size()) + " of " + connections + " connections: " + failure, failure);
        }
        return channels;
    }

    private CompletableFuture<Channel> connect(URI uri, SimpleChannelInboundHandler<WebSocketFrame> frames) {
        CompletableFuture<Channel> result = new CompletableFuture<>();
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 16);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Promise<Void> handshakeDone = ch.eventLoop().newPromise();
                        handshakeDone.addListener(done -> {
                            if (done.isSuccess()) {
                                result.complete(ch);
                            } else {
                                result.completeExceptionally(done.cause());
                                ch.close();
                            }
                        });
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                new HandshakeHandler(handshaker, handshakeDone), frames);
                    }
                });
        bootstrap.connect(uri.getHost(), uri.getPort()).addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                handshaker.handshake(connected.channel());
            } else {
                result.completeExceptionally(connected.cause());
            }
        });
        return result;
    }

    private static BinaryWebSocketFrame payload() {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[PAYLOAD_BYTES]));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Completes the client handshake on the 101 response, then removes itself. */
    private static final class HandshakeHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final WebSocketClientHandshaker handshaker;
        private final Promise<Void> done;

        HandshakeHandler(WebSocketClientHandshaker handshaker, Promise<Void> done) {
            this.handshaker = handshaker;
            this.done = done;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            try {
                handshaker.finishHandshake(ctx.channel(), response);
                ctx.pipeline().remove(this);
                done.trySuccess(null);
            } catch (RuntimeException e) {
                done.tryFailure(e);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.tryFailure(new IllegalStateException("connection closed during the websocket handshake"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.tryFailure(cause);
            ctx.close();
        }
    }

    /** Counts each echoed frame and sends the next while the run lasts. */
    private static final class EchoHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final AtomicLong roundTrips;
        private final AtomicBoolean running;

        EchoHandler(AtomicLong roundTrips, AtomicBoolean running) {
            this.roundTrips = roundTrips;
            this.running = running;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof BinaryWebSocketFrame) {
                roundTrips.incrementAndGet();
                if (running.get()) {
                    ctx.writeAndFlush(payload());
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Ignores whatever arrives on an idle websocket. */
    private static final class IdleHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {}

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
