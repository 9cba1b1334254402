package io.mlhub.proxy.http;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlhub.proxy.auth.CachingCredentialResolver;
import io.mlhub.proxy.auth.CredentialResolver;
import io.mlhub.proxy.route.RouteTable;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP and websocket reverse proxy behind the public port. One instance serves every connection;
 * the port's sniffer calls {@link #install} once it knows a connection speaks HTTP/1.1.
 *
 * <p>Each client connection gets its own handlers; what they share lives here: the route table, the credential
 * cache, the meters and one pool of idle upstream connections per event loop.
 */
public final class HttpProxy implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(HttpProxy.class);
    private static final long WARNING_INTERVAL_NANOS = 1_000_000_000L;

    /**
     * Bytes a leg may queue for writing before the relay stops reading the other leg. Netty's default (32-64 KiB)
     * is one decoded body piece, which would stop and restart reading after every piece.
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 512 * 1024);

    private static final String IDLE_HANDLER = "relay-idle";
    private static final String CODEC_HANDLER = "relay-codec";
    private static final String RELAY_HANDLER = "relay";

    private final RouteTable routes;
    private final HttpProxyConfig config;
    private final @Nullable CachingCredentialResolver credentials;
    private final @Nullable ExecutorService ownedExecutor;
    private final ProxyMetrics metrics;
    private final RequestRouter router;
    private final Map<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();
    private final Map<Class<? extends Channel>, ChannelFactory<? extends Channel>> channelFactories =
            new ConcurrentHashMap<>();
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);

    private HttpProxy(Builder builder) {
        this.routes = builder.routes;
        this.config = builder.config;
        this.metrics = new ProxyMetrics(builder.registry);
        this.router = new RequestRouter(routes, config);
        if (builder.resolver == null) {
            this.credentials = null;
            this.ownedExecutor = null;
            logger.info("edge authorization off: no credential resolver configured");
        } else if (builder.resolver instanceof CachingCredentialResolver caching) {
            this.credentials = caching;
            this.ownedExecutor = null;
        } else {
            this.ownedExecutor = Executors.newVirtualThreadPerTaskExecutor();
            this.credentials = new CachingCredentialResolver(builder.resolver, config.credentialCacheExpiry(),
                    config.credentialCacheSize(), ownedExecutor);
        }
        if (credentials != null) {
            credentials.bindTo(builder.registry);
        }
    }

    /** Returns a builder for a proxy over {@code routes}. */
    public static Builder builder(RouteTable routes) {
        return new Builder(routes);
    }

    /**
     * Adds the HTTP handlers to a connection's pipeline, after TLS if there is any, and turns auto-read off: the
     * relay reads only when the other leg can take more. Call it on the channel's event loop.
     */
    public void install(ChannelPipeline pipeline, ClientConnection connection) {
        requireNonNull(pipeline, "pipeline");
        requireNonNull(connection, "connection");
        pipeline.channel().config().setAutoRead(false);
        pipeline.channel().config().setOption(ChannelOption.TCP_NODELAY, true);
        pipeline.channel().config().setWriteBufferWaterMark(WATER_MARK);

        IdleTimeoutHandler idleTimeout = new IdleTimeoutHandler();
        ClientHttpCodec codec = new ClientHttpCodec(config);
        pipeline.addLast(IDLE_HANDLER, idleTimeout);
        pipeline.addLast(CODEC_HANDLER, codec);
        pipeline.addLast(RELAY_HANDLER, new ClientRelayHandler(this, connection, codec, idleTimeout));
    }

    /**
     * Returns the credential cache of the edge check, so that the control plane can invalidate entries, or
     * {@code null} when no resolver was configured and the edge check is off.
     */
    public @Nullable CachingCredentialResolver credentialCache() {
        return credentials;
    }

    /** Returns the settings. */
    public HttpProxyConfig config() {
        return config;
    }

    /** Closes pooled upstream connections and stops the resolver threads this proxy started. */
    @Override
    public void close() {
        for (Map.Entry<EventLoop, UpstreamPool> entry : pools.entrySet()) {
            UpstreamPool pool = entry.getValue();
            if (!entry.getKey().isShuttingDown()) {
                entry.getKey().execute(pool::closeAll);
            }
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdownNow();
        }
    }

    RouteTable routes() {
        return routes;
    }

    RequestRouter router() {
        return router;
    }

    @Nullable CachingCredentialResolver credentials() {
        return credentials;
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /** Returns the number of open upstream connections, pooled ones included. */
    int openUpstreamConnections() {
        return metrics.openUpstreamConnections();
    }

    UpstreamPool pool(EventLoop eventLoop) {
        UpstreamPool pool = pools.get(eventLoop);
        if (pool == null) {
            pool = pools.computeIfAbsent(eventLoop, loop -> new UpstreamPool(loop,
                    config.maxPooledConnectionsPerTarget(), config.pooledIdleTimeout().toNanos()));
        }
        return pool;
    }

    /**
     * Opens an upstream connection on the client's event loop, with the transport of the client's channel, so
     * that both legs share one thread.
     */
    ChannelFuture connect(Channel client, UpstreamRelayHandler upstream) {
        HttpDecoderConfig decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(config.maxChunkSize());
        // NOTE: the default resolver looks host names up on the event loop; route targets are normally IP addresses.
        return new Bootstrap()
                .group(client.eventLoop())
                .channelFactory(channelFactory(client))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.upstreamConnectTimeout().toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline()
                                .addLast(IDLE_HANDLER, upstream.idleTimeout())
                                .addLast(CODEC_HANDLER, new HttpClientCodec(decoderConfig, false, false))
                                .addLast(RELAY_HANDLER, upstream);
                        upstream.idleTimeout().setTimeout(config.upstreamIdleTimeout().toNanos(),
                                TimeUnit.NANOSECONDS);
                    }
                })
                .connect(upstream.host(), upstream.port());
    }

    /**
     * Returns a factory for upstream channels of the client channel's own class (NIO, epoll or io_uring), which is
     * the class the client's event loop can serve.
     */
    private ChannelFactory<? extends Channel> channelFactory(Channel client) {
        if (!(client instanceof SocketChannel)) {
            return NioSocketChannel::new;
        }
        return channelFactories.computeIfAbsent(client.getClass(), type -> new ReflectiveChannelFactory<>(type));
    }

    /**
     * Returns whether an upstream or resolver error may be logged at WARN now; others within the same second go to
     * DEBUG, so that a dead upstream under load does not flood the log.
     */
    boolean allowWarning() {
        long now = System.nanoTime();
        long last = lastWarningNanos.get();
        return now - last >= WARNING_INTERVAL_NANOS && lastWarningNanos.compareAndSet(last, now);
    }

    /** Builds an {@link HttpProxy}. */
    public static final class Builder {
        private final RouteTable routes;
        private HttpProxyConfig config = HttpProxyConfig.defaults();
        private @Nullable CredentialResolver resolver;
        private MeterRegistry registry = new SimpleMeterRegistry();

        private Builder(RouteTable routes) {
            this.routes = requireNonNull(routes, "routes");
        }

        /** Sets the settings (default {@link HttpProxyConfig#defaults()}). */
        public Builder config(HttpProxyConfig config) {
            this.config = requireNonNull(config, "config");
            return this;
        }

        /**
         * Turns the edge check on, with this resolver behind a cache. A {@link CachingCredentialResolver} is used
         * as it is; any other resolver gets a cache sized by the config and virtual threads to block on.
         */
        public Builder credentialResolver(CredentialResolver resolver) {
            this.resolver = requireNonNull(resolver, "resolver");
            return this;
        }

        /** Sets where the proxy's meters go (default a private {@code SimpleMeterRegistry}). */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = requireNonNull(registry, "registry");
            return this;
        }

        public HttpProxy build() {
            return new HttpProxy(this);
        }
    }
}
