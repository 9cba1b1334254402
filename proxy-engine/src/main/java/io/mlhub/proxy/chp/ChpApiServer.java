package io.mlhub.proxy.chp;

import static java.util.Objects.requireNonNull;

import io.mlhub.proxy.route.RouteKeys;
import io.mlhub.proxy.route.RouteTable;
import io.mlhub.proxy.server.Transport;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The route API of configurable-http-proxy on its own port (CHP's default is 127.0.0.1:8001), and the
 * Prometheus metrics at {@code /metrics}.
 *
 * <pre>{@code
 * ChpApiServer api = ChpApiServer.builder(new InetSocketAddress("127.0.0.1", 8001), routes)
 *         .authToken(System.getenv("CONFIGPROXY_AUTH_TOKEN"))
 *         .prometheus(registry)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>Requests to {@code /api/routes...} need {@code Authorization: token <token>} when a token is set;
 * {@code /metrics} needs none, as in CHP.
 */
public final class ChpApiServer implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ChpApiServer.class);

    /** Default limit of a request body; route data is small, so this is generous. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

    private static final int READ_TIMEOUT_SECONDS = 60;

    private final InetSocketAddress bindAddress;
    private final ChpApiHandler handler;
    private final int maxBodyBytes;
    private final boolean authenticated;
    private final boolean servesRoutes;
    private final String name;
    private final Transport transport = Transport.best();

    private @Nullable EventLoopGroup group;
    private @Nullable Channel serverChannel;

    private ChpApiServer(Builder builder) {
        this.bindAddress = builder.bindAddress;
        this.maxBodyBytes = builder.maxBodyBytes;
        this.authenticated = builder.authToken != null && !builder.authToken.isEmpty();
        ChpRouteApi api = builder.routes == null
                ? null
                : new ChpRouteApi(builder.routes, builder.authToken, builder.routeKeys, builder.ownersFromData);
        this.handler = new ChpApiHandler(api, builder.prometheus);
        this.servesRoutes = api != null;
        this.name = servesRoutes ? "route api" : "metrics";
    }

    /** Starts a builder for the API on {@code bindAddress} over {@code routes}. */
    public static Builder builder(InetSocketAddress bindAddress, RouteTable routes) {
        return new Builder(bindAddress, requireNonNull(routes, "routes"));
    }

    /**
     * Starts a builder for a port that serves only {@code /metrics}, like configurable-http-proxy's
     * {@code --metrics-port}; set the registry with {@link Builder#prometheus}.
     */
    public static Builder metricsOnly(InetSocketAddress bindAddress) {
        return new Builder(bindAddress, null);
    }

    /**
     * Binds the API port.
     *
     * @throws IOException if the port cannot be bound
     */
    public synchronized ChpApiServer start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started on " + serverChannel.localAddress());
        }
        if (!authenticated && servesRoutes) {
            logger.warn("route api has no auth token: anyone who reaches {} can change routes "
                    + "(set CONFIGPROXY_AUTH_TOKEN)", bindAddress);
        }

        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mlhub-route-api"),
                transport.ioHandlerFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline()
                                .addLast("read-timeout", new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                                .addLast("http-codec", new HttpServerCodec())
                                .addLast("http-aggregator", new HttpObjectAggregator(maxBodyBytes))
                                .addLast("route-api", handler);
                    }
                })
                .bind(bindAddress)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
            Throwable cause = bound.cause();
            throw new IOException("binding the " + name + " port " + bindAddress + " failed: " + cause.getMessage(),
                    cause);
        }

        serverChannel = bound.channel();
        logger.info("{} listening address={} auth={}", name, serverChannel.localAddress(),
                authenticated ? "token" : "none");
        return this;
    }

    /** Returns the bound address, with the real port when 0 was requested. */
    public InetSocketAddress localAddress() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** Closes the port and open API connections. */
    @Override
    public synchronized void close() {
        if (serverChannel == null) {
            return;
        }
        serverChannel.close().awaitUninterruptibly();
        serverChannel = null;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        group = null;
        logger.info("{} stopped address={}", name, bindAddress);
    }

    /** Builds a {@link ChpApiServer}. */
    public static final class Builder {
        private final InetSocketAddress bindAddress;
        private final @Nullable RouteTable routes;
        private @Nullable String authToken;
        private @Nullable PrometheusMeterRegistry prometheus;
        private UnaryOperator<String> routeKeys = RouteKeys::canonicalFromDecoded;
        private boolean ownersFromData;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

        private Builder(InetSocketAddress bindAddress, @Nullable RouteTable routes) {
            this.bindAddress = requireNonNull(bindAddress, "bindAddress");
            this.routes = routes;
        }

        /** Sets the token API clients must present; {@code null} or empty leaves the API open, as in CHP. */
        public Builder authToken(@Nullable String token) {
            this.authToken = token;
            return this;
        }

        /** Serves {@code registry} at {@code /metrics}; without it that path returns 404. */
        public Builder prometheus(@Nullable PrometheusMeterRegistry registry) {
            this.prometheus = registry;
            return this;
        }

        /**
         * Sets how the percent-decoded path of an API request becomes a route key, in the form the proxy
         * matches requests with; by default {@link RouteKeys#canonicalFromDecoded(String)}.
         */
        public Builder routeKeys(UnaryOperator<String> canonicalizer) {
            this.routeKeys = requireNonNull(canonicalizer, "canonicalizer");
            return this;
        }

        /**
         * Sets whether a route's {@code user} and {@code server_name} data fields make it a workspace route
         * that the proxy's edge check guards. Off by default: configurable-http-proxy checks nothing, and a
         * JupyterHub in front of it authenticates its users itself.
         */
        public Builder ownersFromData(boolean enabled) {
            this.ownersFromData = enabled;
            return this;
        }

        /** Sets the largest request body accepted; larger ones get 413. */
        public Builder maxBodyBytes(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes: " + bytes + " (expected: > 0)");
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        public ChpApiServer build() {
            return new ChpApiServer(this);
        }
    }
}
