package io.mlhub.proxy.sniff;

import static java.util.Objects.requireNonNull;

import io.mlhub.proxy.http.ClientConnection;
import io.mlhub.proxy.server.NetErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the first bytes of a connection on the public port and hands it to TLS, plain HTTP or SSH.
 *
 * <pre>
 * pipeline: [PortMultiplexHandler]                      (must be the last handler)
 *   TLS record (0x16 0x03 ..)  -> PortProtocols.installTls        e.g. [SslHandler, ALPN, HTTP ...]
 *   "GET " and other methods   -> PortProtocols.installPlainHttp  e.g. [HttpServerCodec, redirect]
 *   "SSH-", or silence         -> PortProtocols.sshAcceptor()     (auto-read off, bytes handed over)
 *   PROXY header (if enabled)  -> [HAProxyMessageDecoder, PortMultiplexHandler] and sniff again
 *   anything else              -> close
 * </pre>
 *
 * <p>Bytes may arrive one at a time: they are buffered until they match one signature or none. A
 * client that sends nothing within {@link SniffConfig#silentClientDelay()} is handed to SSH, because
 * some SSH clients wait for the server's banner before they speak. A client that sends some bytes but
 * never enough to decide is closed after {@link SniffConfig#sniffTimeout()}, counted from the
 * connection's start. Handlers are installed while this handler is still in the pipeline, so the
 * buffered bytes, passed on right after it removes itself, reach the first installed handler.
 */
public final class PortMultiplexHandler extends ChannelInboundHandlerAdapter {
    private static final Logger logger = LoggerFactory.getLogger(PortMultiplexHandler.class);

    /** Name of this handler in the pipeline. */
    public static final String NAME = "port-multiplex";

    private static final String PROXY_PROTOCOL_NAME = "proxy-protocol";

    private final SniffConfig config;
    private final PortProtocols protocols;
    private final boolean proxyHeaderAllowed;

    /** Whether a HAProxyMessageDecoder in front is still reading the header; silence does not count then. */
    private boolean awaitingProxyHeader;

    /** When the whole sniffing phase ends, on the event loop's ticker; 0 until the timers start. */
    private long deadlineNanos;

    private ByteBuf buffered;
    private ScheduledFuture<?> silenceTimer;
    private ScheduledFuture<?> deadlineTimer;
    private boolean decided;

    /** Creates the sniffer for a new connection. */
    public PortMultiplexHandler(SniffConfig config, PortProtocols protocols) {
        this(config, protocols, config.proxyProtocol(), false, 0);
    }

    private PortMultiplexHandler(
            SniffConfig config,
            PortProtocols protocols,
            boolean proxyHeaderAllowed,
            boolean awaitingProxyHeader,
            long deadlineNanos) {
        this.config = requireNonNull(config, "config");
        this.protocols = requireNonNull(protocols, "protocols");
        this.proxyHeaderAllowed = proxyHeaderAllowed;
        this.awaitingProxyHeader = awaitingProxyHeader;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            startTimers(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startTimers(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage header) {
            readProxyHeader(ctx, header);
            return;
        }
        if (!(msg instanceof ByteBuf bytes) || decided) {
            ctx.fireChannelRead(msg);
            return;
        }

        buffered = buffered == null
                ? bytes
                : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffered, bytes);
        cancel(silenceTimer);
        decide(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTimersAndRelease();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopTimersAndRelease();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A malformed PROXY header ends up here from the HAProxyMessageDecoder in front of this handler.
        NetErrors.logAndClose(ctx.channel(), "protocol sniffing", cause);
    }

    private void startTimers(ChannelHandlerContext ctx) {
        if (deadlineTimer != null || decided) {
            return;
        }

        if (deadlineNanos == 0) {
            deadlineNanos = ctx.executor().ticker().nanoTime() + config.sniffTimeout().toNanos();
        }
        long untilDeadline = Math.max(0, deadlineNanos - ctx.executor().ticker().nanoTime());
        deadlineTimer = ctx.executor().schedule(() -> onDeadline(ctx), untilDeadline, TimeUnit.NANOSECONDS);
        if (!awaitingProxyHeader) {
            startSilenceTimer(ctx);
        }
    }

    private void startSilenceTimer(ChannelHandlerContext ctx) {
        silenceTimer = ctx.executor().schedule(
                () -> onSilence(ctx), config.silentClientDelay().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void decide(ChannelHandlerContext ctx) {
        Detection detection = ProtocolDetector.detect(buffered, proxyHeaderAllowed);
        if (detection == Detection.NEED_MORE_BYTES
                && buffered.readableBytes() >= ProtocolDetector.MAX_SIGNATURE_LENGTH) {
            detection = Detection.UNKNOWN;
        }
        if (detection == Detection.TLS && !protocols.tlsEnabled()) {
            detection = Detection.UNKNOWN;
        }

        switch (detection) {
            case NEED_MORE_BYTES -> { }
            case UNKNOWN -> rejectUnknown(ctx);
            case TLS -> handOff(ctx, "tls", () -> protocols.installTls(ctx.pipeline(), connection(ctx, true)));
            case HTTP -> handOff(
                    ctx, "http", () -> protocols.installPlainHttp(ctx.pipeline(), connection(ctx, false)));
            case SSH -> handOffToSsh(ctx, "ssh");
            case PROXY_HEADER -> handOffToProxyDecoder(ctx);
        }
    }

    private void handOff(ChannelHandlerContext ctx, String protocol, Runnable install) {
        logger.debug("{} sniffed protocol={}", ctx.channel(), protocol);
        finishSniffing();
        ByteBuf bytes = takeBuffered();
        try {
            install.run();
        } catch (RuntimeException e) {
            bytes.release();
            logger.warn("{} installing handlers failed protocol={}", ctx.channel(), protocol, e);
            ctx.close();
            return;
        }

        ctx.pipeline().remove(this);
        // This context still links to the handler that followed it, which is the first one installed.
        ctx.fireChannelRead(bytes);
        ctx.fireChannelReadComplete();
    }

    private void handOffToSsh(ChannelHandlerContext ctx, String reason) {
        logger.debug("{} sniffed protocol=ssh reason={}", ctx.channel(), reason);
        finishSniffing();
        ByteBuf bytes = buffered != null ? takeBuffered() : Unpooled.EMPTY_BUFFER;
        Channel channel = ctx.channel();
        channel.config().setAutoRead(false);
        ctx.pipeline().remove(this);

        // From here on the acceptor owns the channel and the bytes.
        try {
            protocols.sshAcceptor().accept(channel, bytes);
        } catch (RuntimeException e) {
            logger.warn("{} ssh acceptor failed", channel, e);
            channel.close();
        }
    }

    private void handOffToProxyDecoder(ChannelHandlerContext ctx) {
        logger.debug("{} sniffed proxy protocol header", ctx.channel());
        finishSniffing();
        ByteBuf bytes = takeBuffered();

        // A load balancer sends one header only, so the next sniffer rejects a second one.
        PortMultiplexHandler next = new PortMultiplexHandler(config, protocols, false, true, deadlineNanos);
        ctx.pipeline().replace(this, PROXY_PROTOCOL_NAME, new HAProxyMessageDecoder());
        ctx.pipeline().addAfter(PROXY_PROTOCOL_NAME, NAME, next);
        ctx.fireChannelRead(bytes);
    }

    private void readProxyHeader(ChannelHandlerContext ctx, HAProxyMessage header) {
        try {
            InetSocketAddress client = clientAddress(header);
            if (client != null) {
                ctx.channel().attr(ClientAddresses.PROXIED_CLIENT).set(client);
            }
            logger.debug("{} proxy protocol header command={} client={}", ctx.channel(), header.command(), client);
        } finally {
            header.release();
        }

        // The client's own silence starts now: an SSH client behind the load balancer may wait for a banner.
        awaitingProxyHeader = false;
        if (!decided && buffered == null) {
            startSilenceTimer(ctx);
        }
    }

    /** Returns the client named by the header, or null for LOCAL (health checks) and UNKNOWN headers. */
    private static InetSocketAddress clientAddress(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        // The decoder has validated the literal, so this parses it without a DNS lookup.
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(header.sourceAddress());
        return address == null ? null : new InetSocketAddress(address, header.sourcePort());
    }

    private void rejectUnknown(ChannelHandlerContext ctx) {
        if (logger.isDebugEnabled()) {
            logger.debug("{} closed: unknown protocol first-bytes={}",
                    ctx.channel(), ByteBufUtil.hexDump(buffered, buffered.readerIndex(),
                            Math.min(buffered.readableBytes(), ProtocolDetector.MAX_SIGNATURE_LENGTH)));
        }
        finishSniffing();
        takeBuffered().release();
        ctx.close();
    }

    private void onSilence(ChannelHandlerContext ctx) {
        if (decided || awaitingProxyHeader || !ctx.channel().isActive() || buffered != null) {
            return;
        }
        handOffToSsh(ctx, "silent");
    }

    private void onDeadline(ChannelHandlerContext ctx) {
        if (decided) {
            return;
        }
        logger.debug("{} closed: no protocol recognised within sniff-timeout={}",
                ctx.channel(), config.sniffTimeout());
        finishSniffing();
        if (buffered != null) {
            takeBuffered().release();
        }
        ctx.close();
    }

    private InetSocketAddress remote(ChannelHandlerContext ctx) {
        return ClientAddresses.remote(ctx.channel());
    }

    private ClientConnection connection(ChannelHandlerContext ctx, boolean secure) {
        return new ClientConnection(remote(ctx), ClientAddresses.local(ctx.channel()), secure);
    }

    private void finishSniffing() {
        decided = true;
        cancel(silenceTimer);
        cancel(deadlineTimer);
    }

    private ByteBuf takeBuffered() {
        ByteBuf bytes = buffered;
        buffered = null;
        return bytes;
    }

    private void stopTimersAndRelease() {
        cancel(silenceTimer);
        cancel(deadlineTimer);
        if (buffered != null) {
            ReferenceCountUtil.safeRelease(takeBuffered());
        }
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
