package io.mlhub.proxy.server;

import static java.util.Objects.requireNonNull;

import io.mlhub.proxy.http.DrainRequested;
import io.mlhub.proxy.http.HttpProxy;
import io.mlhub.proxy.metrics.ProxyMetrics;
import io.mlhub.proxy.sniff.PortMultiplexHandler;
import io.mlhub.proxy.sniff.SniffConfig;
import io.mlhub.proxy.ssh.RejectingSshAcceptor;
import io.mlhub.proxy.ssh.SshAcceptor;
import io.mlhub.proxy.tls.ServerTlsContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port: one listening socket whose connections are sniffed and handed to TLS, plain HTTP or
 * SSH.
 *
 * <pre>{@code
 * ProxyServer server = ProxyServer.builder(new InetSocketAddress(8000), httpProxy::install)
 *         .tls(ServerTlsContext.create(TlsConfig.selfSigned(dataDir)))
 *         .sshAcceptor(sshmux)
 *         .metrics(new ProxyMetrics(registry))
 *         .initiallyReady(false)
 *         .build()
 *         .start();
 * // ... once the hub responds:
 * server.setReady(true);
 * }</pre>
 *
 * <p>While the server is not ready, HTTP requests get 503 with {@code Retry-After}; TLS, redirects and
 * SSH work as usual. {@link #close()} stops accepting, closes idle HTTP connections, lets requests in
 * progress finish, waits up to the drain timeout for the remaining connections to end, then closes the rest.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(ProxyServer.class);

    private final InetSocketAddress bindAddress;
    private final @Nullable ServerTlsContext tls;
    private final SniffConfig sniffConfig;
    private final ProxyMetrics metrics;
    private final Duration drainTimeout;
    private final Transport transport;
    private final int workerThreads;
    private final AtomicBoolean ready;
    private final ServerProtocols protocols;
    private final ChannelGroup channels = new DefaultChannelGroup("mlhub-proxy", GlobalEventExecutor.INSTANCE);

    private @Nullable EventLoopGroup acceptorGroup;
    private @Nullable EventLoopGroup workerGroup;
    private @Nullable Channel serverChannel;

    private ProxyServer(Builder builder) {
        this.bindAddress = builder.bindAddress;
        this.tls = builder.tls;
        this.sniffConfig = builder.sniffConfig;
        this.metrics = builder.metrics != null ? builder.metrics : new ProxyMetrics(new SimpleMeterRegistry());
        this.drainTimeout = builder.drainTimeout;
        this.transport = builder.transport;
        this.workerThreads = builder.workerThreads;
        this.ready = new AtomicBoolean(builder.initiallyReady);
        HttpStage http = new HttpStage(builder.http, ready, builder.retryAfter);
        this.protocols = new ServerProtocols(tls, http, builder.sshAcceptor, metrics);
    }

    /**
     * Starts a builder for a server on {@code bindAddress} that hands HTTP connections to {@code http},
     * usually {@code httpProxy::install}.
     */
    public static Builder builder(InetSocketAddress bindAddress, HttpInstaller http) {
        return new Builder(bindAddress, http);
    }

    /** Starts a builder for a server that hands HTTP connections to {@code httpProxy}. */
    public static Builder builder(InetSocketAddress bindAddress, HttpProxy httpProxy) {
        requireNonNull(httpProxy, "httpProxy");
        return new Builder(bindAddress, httpProxy::install);
    }

    /**
     * Binds the port and starts accepting connections.
     *
     * @throws IOException if the port cannot be bound (in use, no permission, unknown address)
     */
    public synchronized ProxyServer start() throws IOException {
        if (serverChannel != null) {
            throw new IllegalStateException("already started on " + serverChannel.localAddress());
        }

        acceptorGroup = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("mlhub-proxy-accept"), transport.ioHandlerFactory());
        // One event loop per core: nothing blocks on them, and a second loop per core only adds thread switches
        // and fewer events per wake-up.
        int threads = workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
        workerGroup = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("mlhub-proxy"), transport.ioHandlerFactory());
        ChannelFuture bound = newBootstrap().bind(bindAddress).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutDownGroups();
            Throwable cause = bound.cause();
            throw new IOException("binding the proxy port " + bindAddress + " failed: " + cause.getMessage(), cause);
        }

        serverChannel = bound.channel();
        logger.info("proxy listening address={} transport={} tls={} proxyProtocol={} ready={}",
                serverChannel.localAddress(), transport.name(), tls != null ? tls.provider() : "off",
                sniffConfig.proxyProtocol(), ready.get());
        return this;
    }

    /** Returns the address the port is bound to, with the real port when 0 was requested. */
    public InetSocketAddress localAddress() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** Opens or closes the readiness gate for HTTP requests on new connections. */
    public void setReady(boolean value) {
        if (ready.getAndSet(value) != value) {
            logger.info("proxy readiness changed ready={}", value);
        }
    }

    /** Returns whether HTTP requests are passed to the proxy rather than rejected with 503. */
    public boolean isReady() {
        return ready.get();
    }

    /** Returns the meters of this server. */
    public ProxyMetrics metrics() {
        return metrics;
    }

    /** Returns the transport of the event loops. */
    public Transport transport() {
        return transport;
    }

    /** Returns the number of open client connections. */
    public int openConnections() {
        return channels.size();
    }

    /**
     * Stops accepting, closes idle HTTP connections and those still sniffing or in the TLS handshake,
     * lets HTTP requests in progress finish (their responses carry {@code Connection: close}), waits up to
     * the drain timeout for open connections to end, closes those left and stops the event loops. The TLS
     * context stays open; its owner closes it.
     */
    @Override
    public synchronized void close() {
        Channel listening = serverChannel;
        if (listening == null) {
            return;
        }
        serverChannel = null;

        listening.close().awaitUninterruptibly();
        logger.info("proxy stopped accepting address={} open-connections={}", listening.localAddress(),
                channels.size());
        drain();
        shutDownGroups();
        logger.info("proxy stopped address={}", listening.localAddress());
    }

    private ServerBootstrap newBootstrap() {
        return new ServerBootstrap()
                .group(acceptorGroup, workerGroup)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Idle SSH sessions and websockets live for hours; keepalive notices peers that vanished.
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channels.add(channel);
                        channel.pipeline().addLast(
                                PortMultiplexHandler.NAME, new PortMultiplexHandler(sniffConfig, protocols));
                    }
                });
    }

    private void drain() {
        requestDrain();

        // NOTE: websocket tunnels and SSH sessions get no signal to finish, so they keep the drain waiting
        // until the timeout and are then closed.
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (!channels.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!channels.isEmpty()) {
            logger.info("proxy closing connections left after drain-timeout={} count={}", drainTimeout,
                    channels.size());
            channels.close().awaitUninterruptibly();
        }
    }

    /**
     * Closes connections that have not shown a protocol yet or are in the TLS handshake, since no request of
     * theirs is in progress, and tells the HTTP handlers of the others to finish with {@link DrainRequested}.
     */
    private void requestDrain() {
        for (Channel channel : channels) {
            channel.eventLoop().execute(() -> {
                ChannelPipeline pipeline = channel.pipeline();
                if (pipeline.get(PortMultiplexHandler.class) != null || pipeline.get(AlpnHandler.class) != null) {
                    channel.close();
                } else {
                    pipeline.fireUserEventTriggered(DrainRequested.INSTANCE);
                }
            });
        }
    }

    private void shutDownGroups() {
        for (EventLoopGroup group : new EventLoopGroup[] {acceptorGroup, workerGroup}) {
            if (group != null) {
                group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly();
            }
        }
        acceptorGroup = null;
        workerGroup = null;
    }

    /** Builds a {@link ProxyServer}. */
    public static final class Builder {
        private final InetSocketAddress bindAddress;
        private final HttpInstaller http;
        private @Nullable ServerTlsContext tls;
        private SniffConfig sniffConfig = SniffConfig.defaults();
        private SshAcceptor sshAcceptor = RejectingSshAcceptor.INSTANCE;
        private @Nullable ProxyMetrics metrics;
        private boolean initiallyReady = true;
        private Duration retryAfter = Duration.ofSeconds(5);
        private Duration drainTimeout = Duration.ofSeconds(5);
        private Transport transport = Transport.best();
        private int workerThreads;

        private Builder(InetSocketAddress bindAddress, HttpInstaller http) {
            this.bindAddress = requireNonNull(bindAddress, "bindAddress");
            this.http = requireNonNull(http, "http");
        }

        /** Serves TLS with {@code context}; without it the port serves plain HTTP and no TLS. */
        public Builder tls(@Nullable ServerTlsContext context) {
            this.tls = context;
            return this;
        }

        /** Sets the sniffer's delays and whether PROXY protocol headers are accepted. */
        public Builder sniff(SniffConfig config) {
            this.sniffConfig = requireNonNull(config, "config");
            return this;
        }

        /** Sets who takes over SSH connections; by default they are logged and closed. */
        public Builder sshAcceptor(SshAcceptor acceptor) {
            this.sshAcceptor = requireNonNull(acceptor, "acceptor");
            return this;
        }

        /** Sets the meters to count connections in; by default they go to a private registry. */
        public Builder metrics(ProxyMetrics proxyMetrics) {
            this.metrics = requireNonNull(proxyMetrics, "proxyMetrics");
            return this;
        }

        /** Sets whether HTTP requests are proxied from the start (default) or get 503 until {@code setReady}. */
        public Builder initiallyReady(boolean value) {
            this.initiallyReady = value;
            return this;
        }

        /** Sets the {@code Retry-After} of the 503 responses while not ready (default 5 seconds). */
        public Builder retryAfter(Duration delay) {
            requireNonNull(delay, "delay");
            if (delay.isNegative() || delay.toSeconds() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("retryAfter: " + delay + " (expected: >= 0 seconds)");
            }
            this.retryAfter = delay;
            return this;
        }

        /** Sets how long {@link #close()} waits for open connections to end (default 5 seconds). */
        public Builder drainTimeout(Duration timeout) {
            requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout: " + timeout + " (expected: >= 0)");
            }
            this.drainTimeout = timeout;
            return this;
        }

        /** Sets the I/O transport; by default epoll where available, else NIO. */
        public Builder transport(Transport value) {
            this.transport = requireNonNull(value, "value");
            return this;
        }

        /** Sets the number of event loop threads; 0 (default) means one per core the JVM may use. */
        public Builder workerThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("workerThreads: " + threads + " (expected: >= 0)");
            }
            this.workerThreads = threads;
            return this;
        }

        public ProxyServer build() {
            return new ProxyServer(this);
        }
    }
}
