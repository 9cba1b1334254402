package io.mlhub.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an upstream connection. While a client exchange owns the connection, every event goes to
 * that exchange's {@link ClientRelayHandler}; while the connection sits in the pool, any data or idleness closes
 * it. The connection lives on the client's event loop, so no field here needs to be volatile.
 */
final class UpstreamRelayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger logger = LoggerFactory.getLogger(UpstreamRelayHandler.class);

    private final String host;
    private final int port;
    private final UpstreamPool pool;
    private final ProxyMetrics metrics;
    private final IdleTimeoutHandler idleTimeout;
    private @Nullable ClientRelayHandler owner;
    private @Nullable Throwable failure;
    private Channel channel;
    long pooledSinceNanos;

    UpstreamRelayHandler(String host, int port, UpstreamPool pool, ProxyMetrics metrics,
            IdleTimeoutHandler idleTimeout) {
        this.host = host;
        this.port = port;
        this.pool = pool;
        this.metrics = metrics;
        this.idleTimeout = idleTimeout;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    Channel channel() {
        return channel;
    }

    IdleTimeoutHandler idleTimeout() {
        return idleTimeout;
    }

    /** Returns the error that closed this connection, if one did. */
    @Nullable Throwable failure() {
        return failure;
    }

    /** Hands the connection to a client exchange, or back to no one with {@code null}. */
    void owner(@Nullable ClientRelayHandler owner) {
        this.owner = owner;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        metrics.upstreamOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        metrics.upstreamClosed();
        ClientRelayHandler client = owner;
        owner = null;
        if (client != null) {
            client.upstreamClosed(this);
        } else {
            pool.remove(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientRelayHandler client = owner;
        if (client != null) {
            client.upstreamRead(msg);
            return;
        }

        // A pooled connection has no request outstanding, so anything it sends is a protocol error.
        ReferenceCountUtil.release(msg);
        logger.debug("{} closing pooled upstream connection that sent unexpected data", ctx.channel());
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ClientRelayHandler client = owner;
        if (client != null) {
            client.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientRelayHandler client = owner;
        if (client != null) {
            client.upstreamWritabilityChanged();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event != IdleTimeoutHandler.IDLE) {
            ReferenceCountUtil.release(event);
            return;
        }

        ClientRelayHandler client = owner;
        if (client != null) {
            client.upstreamIdle();
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The owner reports the error once, when the connection has closed.
        if (failure == null) {
            failure = cause;
        }
        if (owner == null) {
            logger.debug("{} pooled upstream connection failed", ctx.channel(), cause);
        }
        ctx.close();
    }
}
